// The voucher sheet's QR code: the WIFI: text escaped as ZXing reads it, and the SVG path drawn
// from the code's modules decodes (rasterised here, read by jsQR) to exactly that text.
import jsQRModule from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrDrawing, wifiJoinText } from '../../src/console/wifi-qr.js';

// jsqr is CommonJS typed as an ES default export: its function is the module and its .default.
const jsQR = jsQRModule.default;

const SCALE = 6;

/** Paints the path's "M x y h w v1 h-w z" runs black on white, SCALE pixels to a module. */
function rasterise(size: number, path: string): Uint8ClampedArray {
  const side = size * SCALE;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const [, x, y, width] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let row = Number(y) * SCALE; row < (Number(y) + 1) * SCALE; row++) {
      for (let column = Number(x) * SCALE; column < (Number(x) + Number(width)) * SCALE; column++) pixels.fill(0, (row * side + column) * 4, (row * side + column) * 4 + 3);
    }
  }
  return pixels;
}

describe('wifiJoinText', () => {
  it.each([
    ['School-V Guests', 'WIFI:T:nopass;S:School-V Guests;;'],
    ['Мектеп №5', 'WIFI:T:nopass;S:Мектеп №5;;'],
    ['a;b,c:d"e\\f', 'WIFI:T:nopass;S:a\\;b\\,c\\:d\\"e\\\\f;;'],
  ])('escapes %s', (ssid, text) => expect(wifiJoinText(ssid)).toBe(text));
});

describe('qrDrawing', () => {
  it.each(['School-V Guests', 'a;b,c:d"e\\f', 'Мектеп №5 Қонақтар'])('draws a code that reads back as the network %s', (ssid) => {
    const text = wifiJoinText(ssid);
    const { size, path } = qrDrawing(text);
    expect(path).toMatch(/^[Mhvz0-9 -]+$/);
    expect(jsQR(rasterise(size, path), size * SCALE, size * SCALE)?.data).toBe(text);
  });
});
