// The counter page's only script: scan a QR code with the camera and submit the same form a person
// would. BarcodeDetector where the browser has it; otherwise jsQR, loaded from /partner/jsqr.js.
export const SCAN_SCRIPT = `(() => {
  const button = document.getElementById('scan');
  const box = document.getElementById('scanner');
  const video = document.getElementById('camera');
  const status = document.getElementById('scan-status');
  const field = document.getElementById('token');
  const form = document.getElementById('verify-form');
  if (!button || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  button.hidden = false;
  const loadJsQR = () => new Promise((resolve, reject) => {
    if (window.jsQR) return resolve(window.jsQR);
    const s = document.createElement('script');
    s.src = '/partner/jsqr.js';
    s.onload = () => resolve(window.jsQR);
    s.onerror = reject;
    document.head.appendChild(s);
  });
  button.addEventListener('click', async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      box.hidden = false;
      video.srcObject = stream;
      await video.play();
      status.textContent = 'Point the camera at the QR code.';
      const detector = 'BarcodeDetector' in window ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;
      const decode = detector ? null : await loadJsQR();
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      const done = (text) => {
        stream.getTracks().forEach((t) => t.stop());
        field.value = text;
        status.textContent = 'Code read. Checking…';
        form.submit();
      };
      const tick = async () => {
        if (video.readyState >= 2) {
          if (detector) {
            const codes = await detector.detect(video);
            if (codes.length) return done(codes[0].rawValue);
          } else {
            canvas.width = video.videoWidth;
            canvas.height = video.videoHeight;
            ctx.drawImage(video, 0, 0);
            const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
            const code = decode(img.data, img.width, img.height);
            if (code) return done(code.data);
          }
        }
        requestAnimationFrame(tick);
      };
      tick();
    } catch (e) {
      status.textContent = 'The camera is not available; paste the code instead.';
      box.hidden = false;
    }
  });
})();`;
