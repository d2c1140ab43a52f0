import { useEffect } from 'react';
import { Layout } from './components/Layout';
import { ModelCardPage } from './features/model-card/ModelCardPage';
import { SearchPage } from './features/search/SearchPage';
import { UploadPage } from './features/upload/UploadPage';
import { useSearch, viewOf } from './lib/router';

const TITLES = { search: 'Search', upload: 'Upload a photo', model: 'Model card' } as const;

export function App() {
  const search = useSearch();
  const view = viewOf(search);
  useEffect(() => {
    document.title = `${TITLES[view]} · veglens`;
  }, [view]);
  return (
    <Layout view={view}>
      {view === 'upload' ? <UploadPage /> : view === 'model' ? <ModelCardPage /> : <SearchPage search={search} />}
    </Layout>
  );
}
