/**
 * How the CLI imports a module by URL (a notifier plugin). The bundled CLI runs inside a vm.Script
 * (launch.ts), which has no `import()` of its own: its launcher hands in one with {@link useImport}.
 */
export let importModule: (url: string) => Promise<unknown> = (url) => import(url);

export function useImport(importer: (url: string) => Promise<unknown>): void {
  importModule = importer;
}
