import { useEffect } from 'react';
import { Layout } from './components/Layout';
import { ImagePage } from './features/image/ImagePage';
import { MyUploadsPage } from './features/mine/MyUploadsPage';
import { ModelCardPage } from './features/model-card/ModelCardPage';
import { SearchPage } from './features/search/SearchPage';
import { UploadPage } from './features/upload/UploadPage';
import { useSearch, viewOf } from './lib/router';

const TITLES = { search: 'Search', upload: 'Upload photos', model: 'Model card', mine: 'My uploads' } as const;

export function App() {
  const search = useSearch();
  const view = viewOf(search);
  useEffect(() => {
    // A photo's page sets its own title once it knows what it shows.
    if (view !== 'image') document.title = `${TITLES[view]} · veglens`;
  }, [view]);
  const page =
    view === 'image' ? (
      <ImagePage id={new URLSearchParams(search).get('image') ?? ''} />
    ) : view === 'upload' ? (
      <UploadPage />
    ) : view === 'mine' ? (
      <MyUploadsPage />
    ) : view === 'model' ? (
      <ModelCardPage />
    ) : (
      <SearchPage search={search} />
    );
  return <Layout view={view}>{page}</Layout>;
}
