// Entry point of the algorithm package (filled in by the algorithm issue).
export {};
