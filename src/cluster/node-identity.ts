/**
 * A node's stable name, on which its transactional.id rests: configured (node.id), or a random id
 * created at the first start and kept in the data folder. Stable across restarts, so a restarted
 * node registers the same transactional.id and the coordinator aborts what it left open at once;
 * one per data folder, so two nodes never share one (they would fence each other in turn).
 *
 * The id lives in a small LevelDB database (<dataDir>/node) that the node keeps open while it runs:
 * LevelDB's lock refuses a second node on the same folder, in this process or another.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';

const ID_KEY = 'node-id';

export class NodeIdentity {
  private constructor(
    readonly nodeId: string,
    private readonly database: ClassicLevel<string, string>,
  ) {}

  /** Opens the data folder's node database; fails when another node holds it. */
  static async open(configured: string, dataDir: string): Promise<NodeIdentity> {
    await mkdir(dataDir, { recursive: true });
    const location = path.join(dataDir, 'node');
    const database = new ClassicLevel<string, string>(location);
    try {
      await database.open();
    } catch (error) {
      throw new Error(`the data folder ${dataDir} is in use by another Punctual node (${location} is locked): each node needs its own node.dataDir`, { cause: error });
    }
    const kept = await database.get(ID_KEY);
    const nodeId = configured !== '' ? configured : (kept ?? randomUUID());
    if (kept !== nodeId) await database.put(ID_KEY, nodeId);
    return new NodeIdentity(nodeId, database);
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

/** The transactional.id of a node of the group. */
export function nodeTransactionalId(groupId: string, nodeId: string): string {
  return `${groupId}-node-${nodeId}`;
}
