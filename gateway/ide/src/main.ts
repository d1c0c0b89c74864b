// GraphiQL for development, bundled with everything it loads (editor, workers, styles): the
// page asks nothing of another origin. Its requests go to this gateway's /graphql and are
// authenticated like any other: the headers editor holds the credential.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

/** What the headers editor starts with: where a credential comes from, locally. */
const HEADERS = `{
  // Every request needs a credential: replace the placeholder with one of
  //   - an API key of GATEWAY_CLIENTS; locally the service key experience-graph-local-key
  //     or a demo partner's experience-graph-local-<role>-key (.env.example);
  //   - an app token:   npm run -s token -- person cust-ana
  //   - a staff token:  npm run -s token -- staff e-expert-1 expert
  "Authorization": "Bearer <API key or token>"
}`;

const QUERY = `# Experience Graph, through the gateway. Put a credential in the headers editor
# below (it says where to get one), then run this with Ctrl-Enter.
query DeviceExperience($serial: ID! = "PRN-0001") {
  device(serial: $serial) {
    serial
    stage
    experience {
      actions {
        id
        label
      }
    }
  }
}
`;

const root = document.getElementById('graphiql');
if (!root) throw new Error('The page has no #graphiql element');
const fetcher = createGraphiQLFetcher({ url: new URL('/graphql', window.location.href).href });
createRoot(root).render(
  createElement(GraphiQL, {
    fetcher,
    initialQuery: QUERY,
    initialHeaders: HEADERS,
    defaultHeaders: HEADERS,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
  }),
);
