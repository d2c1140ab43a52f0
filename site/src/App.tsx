import { useEffect, useState } from 'react';
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
    ) : view === 'upload' ? null : view === 'mine' ? (
      <MyUploadsPage />
    ) : view === 'model' ? (
      <ModelCardPage />
    ) : (
      <SearchPage search={search} />
    );
  // The upload page stays mounted once opened, so a queue of photos carries on while the
  // person looks at other pages (and is there again when they come back).
  const [uploadOpened, setUploadOpened] = useState(view === 'upload');
  useEffect(() => {
    if (view === 'upload') setUploadOpened(true);
  }, [view]);
  return (
    <Layout view={view}>
      {page}
      {(uploadOpened || view === 'upload') && (
        <div hidden={view !== 'upload'}>
          <UploadPage active={view === 'upload'} />
        </div>
      )}
    </Layout>
  );
}
