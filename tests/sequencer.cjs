// Runs the Entra token suites first, in fresh workers. Their WebCrypto work queues on libuv's
// threadpool, which a DNS lookup of a public name left hanging by a later suite (this network is
// closed) can fill; see the session note. Everything else keeps jest's own order.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads sequencers as CommonJS
const Sequencer = require('@jest/test-sequencer').default;

const first = (test) => /[\\/]tests[\\/]server[\\/]auth[\\/]/.test(test.path);

class AuthSuitesFirst extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter(first), ...sorted.filter((t) => !first(t))];
  }
}

module.exports = AuthSuitesFirst;
