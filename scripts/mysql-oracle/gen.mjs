export function generateCase(seed) { return { steps: [] }; }
