using System.Runtime.InteropServices;
using IronLb.Networking.Interop;

namespace IronLb.Networking.Egress;

/// <summary>What libnftables answered: success, its output (JSON), and its error text.</summary>
internal readonly record struct NftAnswer(bool Ok, string Output, string Error);

/// <summary>
/// One libnftables context, made on first use (so its netlink socket lives in the calling thread's network
/// namespace) and kept. Why the library and not the nft binary: one process start per change would cost more
/// than the change, and the library gives the same parser, the same atomic batch and the same error text
/// in-process. Why not raw nf_tables netlink: the batch format is large and version-dependent, and the
/// library is what the kernel's maintainers keep in step with it.
/// </summary>
internal sealed class NftablesSession : IDisposable
{
    private NftContextHandle? _context;

    /// <summary>Commands run (each one kernel transaction at most), for the egress bench.</summary>
    public long Transactions { get; private set; }

    public NftAnswer Run(string commands)
    {
        try
        {
            if (_context is null && Open() is { } error)
            {
                return new NftAnswer(false, "", error);
            }

            Transactions++;
            var rc = Nftables.RunCmdFromBuffer(_context!, commands);
            var output = Marshal.PtrToStringUTF8(Nftables.CtxGetOutputBuffer(_context!)) ?? "";
            var errors = Marshal.PtrToStringUTF8(Nftables.CtxGetErrorBuffer(_context!)) ?? "";
            return new NftAnswer(rc == 0, output, rc == 0 ? errors : errors.Length > 0 ? errors.Trim() : $"libnftables returned {rc}");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return new NftAnswer(false, "", $"libnftables.so.1 cannot be loaded (Debian/Ubuntu package libnftables1): {e.Message}");
        }
    }

    public void Dispose() => _context?.Dispose();

    private string? Open()
    {
        var context = Nftables.CtxNew(Nftables.CtxDefault);
        if (context.IsInvalid)
        {
            context.Dispose();
            return "nft_ctx_new failed";
        }

        Nftables.CtxOutputSetFlags(context, Nftables.OutputJson);
        if (Nftables.CtxBufferOutput(context) != 0 || Nftables.CtxBufferError(context) != 0)
        {
            context.Dispose();
            return "libnftables could not buffer its output";
        }

        _context = context;
        return null;
    }
}
