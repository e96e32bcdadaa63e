/** Media download: bounded by maxBytes (declared size or streamed), token sent, Graph errors mapped. */
import { downloadMedia, mediaInfo, type WhatsAppApi } from '../../../src/platforms/whatsapp';

const api: WhatsAppApi = { base: 'https://graph.test/v21.0', accessToken: 'TOKEN', phoneNumberId: '1' };

describe('whatsapp media', () => {
  it('looks up with the phone number scope and the token', async () => {
    const calls: Array<[string, RequestInit]> = [];
    const info = await mediaInfo(async (url, init) => {
      calls.push([url, init]);
      return new Response(JSON.stringify({ url: 'https://lookaside.test/x', mime_type: 'image/jpeg', sha256: 'h', file_size: '10', id: '5' }));
    }, api, '5');
    expect(calls[0][0]).toBe('https://graph.test/v21.0/5?phone_number_id=1');
    expect((calls[0][1].headers as Record<string, string>).authorization).toBe('Bearer TOKEN');
    expect(info).toEqual({ mediaId: '5', url: 'https://lookaside.test/x', mimeType: 'image/jpeg', sha256: 'h', size: 10 });
  });

  it('refuses a declared size over the cap without downloading; stops reading a stream that passes it', async () => {
    let fetched = 0;
    const big = async () => { fetched++; return new Response(new Uint8Array(2048)); };
    await expect(downloadMedia(big, api, { mediaId: '5', url: 'u', size: 4096 }, 1024)).rejects.toMatchObject({ code: 413 });
    expect(fetched).toBe(0);
    await expect(downloadMedia(big, api, { mediaId: '5', url: 'u' }, 1024)).rejects.toMatchObject({ code: 413 });
    expect((await downloadMedia(big, api, { mediaId: '5', url: 'u' }, 4096)).length).toBe(2048);
  });

  it('a Graph error on lookup is mapped (unknown id → code 100, permanent)', async () => {
    const err = await mediaInfo(async () => new Response(JSON.stringify({ error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100, error_subcode: 33 } }), { status: 400 }), api, '9')
      .catch((e: unknown) => e as { data: { platformCode: number; status: number } });
    expect(err).toMatchObject({ data: { platformCode: 100, status: 400 } });
  });
});
