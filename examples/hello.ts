// islet run examples/hello.ts -- Ada
interface Greeting { to: string; at: number }

console.log('hello from inside an isolate');
console.log('what a guest can see:', { host: typeof host, process: typeof process, require: typeof require });

export default function main(name = 'world'): Greeting {
  return { to: name, at: 42 };
}
