// Plain text of an xterm buffer, for tests (window.deviceTunnel.activeTerminalText).

export interface BufferLineLike {
  readonly isWrapped: boolean;
  translateToString(trimRight?: boolean): string;
}

export interface BufferLike {
  readonly length: number;
  getLine(y: number): BufferLineLike | undefined;
}

/**
 * All lines joined with "\n", trailing spaces trimmed, trailing empty lines
 * dropped. Soft-wrapped rows are joined back into the line the program wrote,
 * so long output can be matched as one string.
 */
export function bufferText(buf: BufferLike): string {
  const lines: string[] = [];
  for (let y = 0; y < buf.length; y++) {
    const line = buf.getLine(y);
    if (!line) continue;
    const next = buf.getLine(y + 1);
    // Keep trailing spaces of a row that continues on the next row.
    const continues = next?.isWrapped === true;
    const raw = line.translateToString(!continues);
    // xterm only trims empty cells; spaces the program wrote are trimmed here.
    const text = continues ? raw : raw.replace(/ +$/, '');
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}
