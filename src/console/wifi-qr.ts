// The QR code on a voucher sheet: joining the open guest network (the de-facto "WIFI:" scheme
// that Android and iOS cameras read, from ZXing's barcode contents spec). Drawn as one SVG path
// the template prints escaped — the CSP allows no script, and markup needs none.
import QRCode from 'qrcode';

/** ZXing: "\", ";", ",", '"' and ":" in the SSID are escaped with a backslash. */
export function wifiJoinText(ssid: string): string {
  return `WIFI:T:nopass;S:${ssid.replace(/[\\;,":]/g, (char) => `\\${char}`)};;`;
}

export interface QrDrawing {
  /** Modules per side, with a quiet zone of 4 on each side included. */
  size: number;
  /** Dark modules as SVG path data: only letters, digits and spaces. */
  path: string;
}

const QUIET_ZONE = 4;

export function qrDrawing(text: string): QrDrawing {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const parts: string[] = [];
  for (let y = 0; y < modules.size; y++) {
    let x = 0;
    while (x < modules.size) {
      if (!modules.get(y, x)) {
        x++;
        continue;
      }
      const start = x;
      while (x < modules.size && modules.get(y, x)) x++;
      parts.push(`M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h${start - x}z`);
    }
  }
  return { size: modules.size + 2 * QUIET_ZONE, path: parts.join('') };
}
