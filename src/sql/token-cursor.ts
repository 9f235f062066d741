import type { Token } from "./tokenizer";

/** A read position over a token list; every read is bounds-checked so parsers stay total. */
export class TokenCursor {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** The token `offset` places ahead, or undefined past the end. */
  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  /** Consumes and returns the current token (undefined at the end). */
  next(): Token | undefined {
    const token = this.tokens[this.index];
    if (token) this.index++;
    return token;
  }

  atEnd(): boolean {
    return this.index >= this.tokens.length;
  }

  /** Whether the token `offset` ahead is the bare word `keyword`, compared case-insensitively. */
  isKeyword(keyword: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === "word" && token.text.toUpperCase() === keyword;
  }

  /** Consumes the current token if it is one of `keywords`; returns the upper-cased keyword. */
  acceptKeyword(...keywords: string[]): string | undefined {
    const keyword = keywords.find((k) => this.isKeyword(k));
    if (keyword) this.index++;
    return keyword;
  }

  isPunct(punct: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === "punct" && token.text === punct;
  }

  acceptPunct(punct: string): boolean {
    const accepted = this.isPunct(punct);
    if (accepted) this.index++;
    return accepted;
  }
}
