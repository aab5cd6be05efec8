/** Parses the arguments of `npm run kafka`. */
export interface KafkaCliArgs {
  brokers: number;
  port?: number;
}

export function parseKafkaCliArgs(argv: string[]): KafkaCliArgs {
  const args: KafkaCliArgs = { brokers: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--brokers' || flag === '--port') {
      const parsed = Number(value);
      if (value === undefined || !Number.isInteger(parsed)) throw new Error(`${flag} needs a whole number, got ${value ?? 'nothing'}`);
      if (flag === '--brokers') {
        if (parsed !== 1 && parsed !== 3) throw new Error(`--brokers must be 1 or 3, got ${parsed}`);
        args.brokers = parsed;
      } else {
        if (parsed < 1 || parsed > 65535) throw new Error(`--port must be 1-65535, got ${parsed}`);
        args.port = parsed;
      }
      i++;
    } else {
      throw new Error(`unknown argument ${flag}; usage: npm run kafka -- [--brokers 1|3] [--port P]`);
    }
  }
  return args;
}
