using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace IronLb.Networking.Interop;

/// <summary>
/// libnftables (Debian's libnftables1), the library behind the nft binary: one call parses and commits a whole
/// batch as one kernel transaction, with the library's own error text. Version 1.0.6 has no input flags
/// (nft_ctx_input_set_flags came in 1.0.7): it reads a command buffer as JSON when the output JSON flag is set,
/// and falls back to its text syntax only when the buffer is not JSON at all. The library is loaded on first
/// use, so a node without it gets a DllNotFoundException there, which callers turn into a result.
/// </summary>
internal static partial class Nftables
{
    private const string Library = "libnftables.so.1";

    /// <summary>NFT_CTX_DEFAULT.</summary>
    public const uint CtxDefault = 0;

    /// <summary>NFT_CTX_OUTPUT_JSON: JSON answers, and (in 1.0.6) JSON commands.</summary>
    public const uint OutputJson = 1 << 4;

    [LibraryImport(Library, EntryPoint = "nft_ctx_new")]
    public static partial NftContextHandle CtxNew(uint flags);

    [LibraryImport(Library, EntryPoint = "nft_ctx_free")]
    public static partial void CtxFree(nint ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_output_set_flags")]
    public static partial void CtxOutputSetFlags(NftContextHandle ctx, uint flags);

    /// <summary>Keep answers in memory instead of writing them to stdout; 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_output")]
    public static partial int CtxBufferOutput(NftContextHandle ctx);

    /// <summary>Keep error messages in memory instead of writing them to stderr; 0 on success.</summary>
    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_error")]
    public static partial int CtxBufferError(NftContextHandle ctx);

    /// <summary>The text since the last call; owned by the context, valid until the next command.</summary>
    [LibraryImport(Library, EntryPoint = "nft_ctx_get_output_buffer")]
    public static partial nint CtxGetOutputBuffer(NftContextHandle ctx);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_error_buffer")]
    public static partial nint CtxGetErrorBuffer(NftContextHandle ctx);

    /// <summary>Parses and runs a NUL-terminated command buffer; 0 when every command succeeded.</summary>
    [LibraryImport(Library, EntryPoint = "nft_run_cmd_from_buffer", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RunCmdFromBuffer(NftContextHandle ctx, string buffer);
}

/// <summary>A struct nft_ctx*, freed with nft_ctx_free.</summary>
internal sealed class NftContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public NftContextHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        Nftables.CtxFree(handle);
        return true;
    }
}
