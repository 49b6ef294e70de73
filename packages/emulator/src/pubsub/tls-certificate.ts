import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A key and a self-signed certificate (its own certificate authority), in PEM. */
export interface TlsCertificate {
  key: string;
  cert: string;
}

/**
 * Makes a certificate for the Pub/Sub port with `openssl`: self-signed, valid for localhost and
 * 127.0.0.1 for 30 days, so a client that trusts it (as its root) verifies the server as usual.
 */
export function generateCertificate(host: string): TlsCertificate {
  const dir = mkdtempSync(join(tmpdir(), "forcelink-pubsub-tls-"));
  try {
    const names = ["DNS:localhost", "IP:127.0.0.1", "IP:::1"];
    if (/^[\d.]+$/.test(host) && host !== "127.0.0.1") names.push(`IP:${host}`);
    else if (!/^[\d.:]+$/.test(host) && host !== "localhost") names.push(`DNS:${host}`);
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "30",
        "-subj",
        "/CN=Forcelink emulator Pub-Sub API",
        "-addext",
        `subjectAltName=${names.join(",")}`,
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
  } catch (e) {
    throw new Error(
      `Cannot make a TLS certificate for the Pub/Sub port (is openssl installed?): ${(e as Error).message}. Pass pubsub.tls with a key and certificate, or pubsub.tls: false for plaintext.`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
