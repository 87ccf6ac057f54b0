// scripts/build.mjs loads `.css` imports as text; this tells TypeScript so (every webview app).
declare module '*.css' {
  const text: string;
  export default text;
}
