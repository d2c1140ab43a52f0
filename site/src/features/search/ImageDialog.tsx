import { useEffect, useRef } from 'react';
import type { Image } from '../../lib/api/types';
import { kindLabel, percent } from '../../lib/format';
import { ColourResults } from '../../components/ColourResults';
import { Guesses } from '../../components/Guesses';
import { TimingsList } from '../../components/TimingsList';
import { SimilarPhotos } from '../similar/SimilarPhotos';
import { CorrectionForm } from '../corrections/CorrectionForm';
import { refusalText } from '../upload/refusal';
import { onAppLink } from '../../components/Layout';
import { imageHref } from '../../lib/router';

/**
 * The larger view of one image with everything the API knows about it, and
 * the photos most like it (onOpen shows one of those instead).
 */
export function ImageDialog({ image, onClose, onOpen }: { image: Image; onClose: () => void; onOpen?: (image: Image) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open && typeof d.showModal === 'function') d.showModal();
  }, []);
  const title = image.kind ? kindLabel(image.kind) : 'Photo';
  return (
    <dialog
      ref={ref}
      className="image-dialog"
      aria-labelledby="image-dialog-title"
      onClose={onClose}
      onClick={(e) => {
        // A click on the backdrop (the dialog itself, outside its content) closes it.
        if (e.target === ref.current) ref.current?.close();
      }}
    >
      <div className="dialog-content">
        <header className="dialog-header">
          <h2 id="image-dialog-title">
            {title}
            {image.confidence !== null && <span className="muted"> · {percent(image.confidence)} sure</span>}
          </h2>
          <button type="button" className="icon-button" onClick={() => ref.current?.close()} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="dialog-body">
          <img className="dialog-img" src={image.url} alt={`${title} photo`} width={image.width ?? undefined} height={image.height ?? undefined} />
          <div className="dialog-facts">
            {image.refused && (
              <p className="notice notice-warn" data-testid="refusal-reason">
                Not named as one of our 15 vegetables. {refusalText(image)}
              </p>
            )}
            <h3>Most likely kinds</h3>
            <Guesses top={image.top} />
            {image.trueKind && (
              <p className="small">
                Gallery label: <strong>{kindLabel(image.trueKind)}</strong>
                {image.kind && image.kind !== image.trueKind ? ' (the model got this one wrong)' : ''}
              </p>
            )}
            {image.colours && (
              <>
                <h3>Colours</h3>
                <ColourResults colours={image.colours} />
              </>
            )}
            {image.timings && (
              <>
                <h3>Labelling time</h3>
                <TimingsList timings={image.timings} />
              </>
            )}
            <p className="small muted">
              {image.width && image.height ? `${image.width}×${image.height} px · ` : ''}
              {image.source === 'dataset' ? 'sample gallery' : 'uploaded'}
              {image.modelVersion ? ` · model ${image.modelVersion}` : ''}
            </p>
            <CorrectionForm key={image.id} image={image} />
            <p className="small">
              <a href={imageHref(image.id)} onClick={onAppLink}>
                This photo’s own page
              </a>
            </p>
            <SimilarPhotos id={image.id} onOpen={onOpen} />
          </div>
        </div>
      </div>
    </dialog>
  );
}
