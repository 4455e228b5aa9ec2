// Public API of @celers/monitoring; filled in by its issue.
export {};
