import { computeEd25519Reply } from "../../src/auth/ed25519-password";

/**
 * MariaDB's client_ed25519 answer, against the bytes of an independent implementation: PyMySQL's
 * `pymysql._auth.ed25519_password` (Debian's python3-pymysql 1.0.2 with python3-nacl). The proxy
 * logging in to a real mariadbd with it is in test/proxy/attack-matrix.test.ts (cleartext-switch).
 */
describe("computeEd25519Reply", () => {
  it("signs the nonce as MariaDB's client does, with the password as the key's seed", () => {
    const nonce = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(computeEd25519Reply("Proxy-pa55word", nonce).toString("hex")).toBe(
      "3aa93df8843abc21f2445a6414fbe0e50e8f245be9d814c535bae48d329be0da" +
        "95e693ff0875ee57ba41499e916d7928adba90ebac8524dd7a2540c27d3e000e",
    );
  });

  it("takes the password as UTF-8", () => {
    expect(computeEd25519Reply("pässwörd", Buffer.alloc(32, 0xff)).toString("hex")).toBe(
      "929847651a66c68e9bfa0539e369eb703a67ebec3c7a6e8f2182d669d9ff0bf0" +
        "07bf66f94116b8e9c41320073168fc1d57619f63e3ec28e6cbae36ede8dd0c01",
    );
  });
});
