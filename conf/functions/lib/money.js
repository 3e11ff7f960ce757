// A function's own module, imported relatively.
export function round2(x) {
  return Math.round(x * 100) / 100;
}

export function total(lines) {
  return round2(lines.reduce((sum, l) => sum + l.amount, 0));
}
