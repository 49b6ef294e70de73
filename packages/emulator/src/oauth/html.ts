export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f3f3f3;color:#16325c;margin:0}
main{max-width:380px;margin:64px auto;background:#fff;border:1px solid #d8dde6;border-radius:4px;padding:24px}
h1{font-size:20px;margin:0 0 16px}
label{display:block;font-size:13px;margin:12px 0 4px}
input[type=email],input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #d8dde6;border-radius:4px;font-size:14px}
.buttons{display:flex;gap:8px;margin-top:20px}
input[type=submit]{flex:1;padding:10px;border-radius:4px;border:1px solid #0070d2;font-size:14px;cursor:pointer;background:#fff;color:#0070d2}
input[type=submit].primary{background:#0070d2;color:#fff}
.error{background:#fdecea;border:1px solid #c23934;color:#c23934;padding:8px;border-radius:4px;font-size:13px}
ul{padding-left:20px}
code{font-size:12px}
`;

/** A bare page in the emulator's look; `body` is trusted HTML. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body>
</html>
`;
}
