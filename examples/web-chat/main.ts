// Upstream's README chat as a web page. Every window (and every Node chat in a terminal) opened
// with the same login and password is the same user: messages go to the user's private room
// and reach the others through the beacon.
import { Discret, derivePassPhrase } from '@discret/core';

const loginForm = document.querySelector<HTMLFormElement>('#login')!;
const sendForm = document.querySelector<HTMLFormElement>('#send')!;
const list = document.querySelector<HTMLUListElement>('#messages')!;
const status = document.querySelector<HTMLParagraphElement>('#status')!;

// The URL may prefill the form: ?login=...&beacon=...
const query = new URLSearchParams(location.search);
for (const name of ['login', 'beacon'] as const) {
  const value = query.get(name);
  if (value) (loginForm.elements.namedItem(name) as HTMLInputElement).value = value;
}

let app: Discret | null = null;

async function show(): Promise<void> {
  if (!app) return;
  const { res } = await app.query<{ res: { id: string; content: string }[] }>(
    'query { res: chat.Message(order_by(mdate asc, id asc), room_id = $room) { id content } }', { room: app.privateRoom });
  list.replaceChildren(...res.map((m) => Object.assign(document.createElement('li'), { textContent: m.content })));
}

loginForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(loginForm);
  status.textContent = 'Opening…';
  try {
    app = await Discret.open({
      dataModel: 'chat { Message { content: String } }',
      appKey: 'github.com/discretlib/rust_example_simple_chat',
      keyMaterial: await derivePassPhrase(String(data.get('login')), String(data.get('password'))),
      dataFolder: 'web-chat',
      config: { beacons: String(data.get('beacon') ?? '').split(/\s+/).filter(Boolean) },
    });
  } catch (error) {
    status.textContent = `Cannot open: ${(error as Error).message}`;
    return;
  }
  app.on('DataChanged', () => void show());
  loginForm.hidden = true;
  document.querySelector<HTMLDivElement>('#chat')!.hidden = false;
  status.textContent = `Signed in as ${app.verifyingKey.slice(0, 8)}…`;
  await show();
});

sendForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = sendForm.elements.namedItem('message') as HTMLInputElement;
  const message = input.value.trim();
  if (!app || !message) return;
  input.value = '';
  await app.mutate('mutate { chat.Message { room_id: $room content: $message } }', { room: app.privateRoom, message });
});

addEventListener('pagehide', () => void app?.close());
