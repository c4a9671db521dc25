// wa-sqlite ships no declaration for its OPFS example VFS; this is the part the worker uses.
declare module '@journeyapps/wa-sqlite/src/examples/OPFSCoopSyncVFS.js' {
  export const OPFSCoopSyncVFS: {
    create(name: string, module: unknown): Promise<SQLiteVFS>;
  };
}
