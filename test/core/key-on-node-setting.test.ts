import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workspace, cleanup } from '../helpers/cli.ts';

// The per-node "key made on the node" setting: set, shown, cleared, and refused without an SSH target.
test('node add/edit --key-on-node and --no-key-on-node, shown by node show', () => {
  const w = workspace();
  try {
    assert.equal(w.cli('ca', 'init', '--name', 'Setting CA').code, 0);
    const refused = w.cli('node', 'add', 'bare', '--ip', '10.0.0.1', '--key-on-node');
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /makes its key on the node, which needs an SSH target: add --ssh user@host/);
    assert.equal(w.cli('node', 'list').stdout.includes('bare'), false, 'nothing was added');
    const add = w.cli('node', 'add', 'n1', '--ip', '10.0.0.1', '--ssh', 'root@10.0.0.1', '--key-on-node');
    assert.equal(add.code, 0, add.stderr);
    assert.equal((JSON.parse(w.cli('--json', 'node', 'show', 'n1').stdout) as { node: { keyOnNode?: boolean } }).node.keyOnNode, true);
    assert.match(w.cli('node', 'show', 'n1').stdout, /key made on:\s+the node \(over SSH; the vault never holds it\)/);
    // Editing something else keeps it; --no-key-on-node clears it; both at once is refused.
    assert.equal(w.cli('node', 'edit', 'n1', '--owner', 'nats').code, 0);
    assert.match(w.cli('node', 'show', 'n1').stdout, /key made on:\s+the node/);
    assert.match(w.cli('node', 'edit', 'n1', '--ssh', '').stderr, /needs an SSH target/);
    const both = w.cli('node', 'edit', 'n1', '--key-on-node', '--no-key-on-node');
    assert.match(both.stderr, /give --key-on-node or --no-key-on-node, not both/);
    assert.equal(w.cli('node', 'edit', 'n1', '--no-key-on-node').code, 0);
    assert.equal((JSON.parse(w.cli('--json', 'node', 'show', 'n1').stdout) as { node: { keyOnNode?: boolean } }).node.keyOnNode, undefined);
    assert.match(w.cli('node', 'show', 'n1').stdout, /key made on:\s+this machine \(sealed in the vault\)/);
  } finally {
    cleanup(w.dir);
  }
});
