// A DOM for React beside a real Discret, in Jest's Node environment: jsdom's window, document
// and the element classes React DOM and Testing Library use, as globals. The app under test
// keeps Node's realm (its Uint8Arrays, AbortSignals and native bindings), which a jsdom test
// environment would replace (its connections then failed). Imported first by the binding tests
// (@discret/react, @discret/vue); a library that looks for `document` when it loads must be
// imported after it (dynamically: CommonJS imported by an ES module runs before it).
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/', pretendToBeVisual: true });
const shared = [
  'window', 'document', 'navigator', 'HTMLElement', 'HTMLDivElement', 'SVGElement', 'MathMLElement', 'Element', 'Node', 'Text', 'Comment',
  'DocumentFragment', 'MutationObserver', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame',
];
for (const name of shared) {
  const value = name === 'window' ? window : (window as unknown as Record<string, unknown>)[name];
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}
// React's act() environment: updates in tests are wrapped and flushed.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
