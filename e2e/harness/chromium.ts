// The flags of every headless Chromium the project starts: the e2e sessions, the theme-variable
// capture and the render tests (test/render imports this file, so the two suites cannot drift).
// --disable-dev-shm-usage: Docker's default /dev/shm is 64 MB; Chromium then writes to /tmp instead.
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
