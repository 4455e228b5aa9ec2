// Types the value the global setup provides to every test file (`inject('celersDatabaseUrl')`).
declare module 'vitest' {
  export interface ProvidedContext {
    celersDatabaseUrl: string;
  }
}

export {};
