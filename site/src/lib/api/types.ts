// Names for the API's schemas, all taken from the generated OpenAPI types so the
// site and the backend cannot drift apart.
import type { components, operations } from './schema.gen';

type S = components['schemas'];
export type Kind = S['Kind'];
export type PaletteId = S['PaletteId'];
export type Method = S['Method'];
export type ColourRef = S['ColourRef'];
export type ColourShare = S['ColourShare'];
export type PaletteResult = S['PaletteResult'];
export type Colours = S['Colours'];
export type Guess = S['Guess'];
export type Timings = S['Timings'];
export type Image = S['Image'];
export type SearchResult = S['SearchResult'];
export type SearchQuery = S['SearchQuery'];
export type SimilarResult = S['SimilarResult'];
export type Alternative = S['Alternative'];
export type KindInfo = S['KindInfo'];
export type Palette = S['Palette'];
export type PaletteList = S['PaletteList'];
export type Stats = S['Stats'];
export type SeriesPoint = S['SeriesPoint'];
export type ModelInfo = S['ModelInfo'];
export type Upload = S['Upload'];
export type UploadRequest = S['UploadRequest'];
export type ApiErrorBody = S['Error'];
export type ErrorCode = ApiErrorBody['error']['code'];
export type SearchParams = NonNullable<operations['searchImages']['parameters']['query']>;

/** The largest photo the API accepts (UploadRequest.size): 10 MiB. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** The kinds in the model's label order: generated from the Kind enum of the API document. */
export { KINDS } from './kinds.gen';
