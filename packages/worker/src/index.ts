// Public API of @celers/worker; filled in by its issue.
export {};
