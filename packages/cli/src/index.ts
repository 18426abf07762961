// Entry point of the kaapana-ext CLI (filled in by the workflows/CLI issue).
export {};
