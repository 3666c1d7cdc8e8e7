/**
 * How the CLI imports a module by URL (a notifier plugin). The bundled CLI runs inside a vm.Script
 * (launch.ts), which has no `import()` of its own: its launcher hands in one with {@link useImport}.
 * Unset, the notifier uses its own `import()`.
 */
export let importModule: ((url: string) => Promise<unknown>) | undefined;

export function useImport(importer: (url: string) => Promise<unknown>): void {
  importModule = importer;
}
