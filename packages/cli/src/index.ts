// Public API of @celers/cli; filled in by its issue.
export {};
