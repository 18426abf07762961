// Public API of the registry area: reference parsing and the HTTP API v2 client.
export * from './ref.js';
export * from './client.js';
