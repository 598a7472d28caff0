// Draws the decision boundary (class probabilities on a grid) and the data points on a canvas.
import type { Session } from "./session.js";

/** Class colours: orange, blue, green (readable for the common colour-vision deficiencies). */
const COLORS: readonly [number, number, number][] = [[230, 120, 20], [30, 110, 200], [40, 160, 90]];
const GRID = 48;

export function drawBoundary(canvas: HTMLCanvasElement, session: Session, showTest: boolean): void {
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const { probs, classes } = session.predictGrid(GRID);
  const img = ctx.createImageData(GRID, GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    // Mix the class colours by probability and fade towards white where the model is unsure.
    let r = 0, g = 0, b = 0, top = 0;
    for (let k = 0; k < classes; k++) {
      const p = probs[i * classes + k] ?? 0;
      const col = COLORS[k] ?? [128, 128, 128];
      r += p * col[0];
      g += p * col[1];
      b += p * col[2];
      top = Math.max(top, p);
    }
    const sure = Math.min(1, Math.max(0, (top - 1 / classes) / (1 - 1 / classes)));
    const fade = 0.25 + 0.45 * sure;
    img.data[4 * i] = 255 + (r - 255) * fade;
    img.data[4 * i + 1] = 255 + (g - 255) * fade;
    img.data[4 * i + 2] = 255 + (b - 255) * fade;
    img.data[4 * i + 3] = 255;
  }
  // Paint the small grid, then scale it up smoothly onto the visible canvas.
  const small = document.createElement("canvas");
  small.width = GRID;
  small.height = GRID;
  small.getContext("2d")?.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);

  const [x0, x1, y0, y1] = session.data.bounds;
  for (const [px, py, c, test] of session.data.points) {
    if (test && !showTest) continue;
    const cx = ((px - x0) / (x1 - x0)) * canvas.width;
    const cy = ((y1 - py) / (y1 - y0)) * canvas.height;
    const col = COLORS[c] ?? [0, 0, 0];
    ctx.beginPath();
    ctx.arc(cx, cy, canvas.width / 90 + 1.5, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${col[0]},${col[1]},${col[2]})`;
    ctx.fill();
    ctx.lineWidth = test ? 2 : 1;
    ctx.strokeStyle = test ? "#000" : "#fff";
    ctx.stroke();
  }
}

/** The data coordinates under a canvas pixel, for adding the user's own points. */
export function canvasToData(canvas: HTMLCanvasElement, session: Session, clientX: number, clientY: number): [number, number] {
  const rect = canvas.getBoundingClientRect();
  const [x0, x1, y0, y1] = session.data.bounds;
  return [x0 + ((clientX - rect.left) / rect.width) * (x1 - x0), y1 - ((clientY - rect.top) / rect.height) * (y1 - y0)];
}
