export function App() {
  return <p>console</p>;
}
