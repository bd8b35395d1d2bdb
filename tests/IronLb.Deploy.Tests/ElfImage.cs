using System.Buffers.Binary;
using System.Text;

namespace IronLb.Deploy.Tests;

/// <summary>
/// What the image test needs to know about a 64-bit little-endian ELF file (x86-64 and aarch64 Linux): its type, its
/// machine, whether it asks for a program interpreter (a dynamically linked executable does), and its section names.
/// Read from the headers directly, so the test needs no binutils.
/// </summary>
internal sealed record ElfImage(ushort Type, ushort Machine, bool HasInterpreter, IReadOnlySet<string> Sections)
{
    public const ushort Executable = 2;
    public const ushort SharedObject = 3; // also a position-independent executable
    public const ushort X86_64 = 62;
    public const ushort Aarch64 = 183;

    private const uint ProgramInterpreter = 3;

    /// <summary>The file's ELF headers, or null when it is not a 64-bit little-endian ELF file.</summary>
    public static ElfImage? Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        // The magic, then class 2 (64-bit) and data 1 (little-endian).
        if (bytes.Length < 64 || bytes is not [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, ..])
        {
            return null;
        }

        var span = bytes.AsSpan();
        var programHeaders = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[0x20..]);
        var sectionHeaders = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]);
        var programEntry = BinaryPrimitives.ReadUInt16LittleEndian(span[0x36..]);
        var programCount = BinaryPrimitives.ReadUInt16LittleEndian(span[0x38..]);
        var sectionEntry = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3E..]);

        var interpreter = false;
        for (var i = 0; i < programCount; i++)
        {
            interpreter |= BinaryPrimitives.ReadUInt32LittleEndian(span[(programHeaders + (i * programEntry))..]) == ProgramInterpreter;
        }

        var sections = new HashSet<string>(StringComparer.Ordinal);
        if (sectionCount > 0 && namesIndex < sectionCount)
        {
            var names = Section(span, sectionHeaders + (namesIndex * sectionEntry));
            for (var i = 0; i < sectionCount; i++)
            {
                var nameOffset = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(sectionHeaders + (i * sectionEntry))..]);
                var name = names[nameOffset..];
                sections.Add(Encoding.ASCII.GetString(name[..name.IndexOf((byte)0)]));
            }
        }

        return new ElfImage(
            BinaryPrimitives.ReadUInt16LittleEndian(span[0x10..]),
            BinaryPrimitives.ReadUInt16LittleEndian(span[0x12..]),
            interpreter,
            sections);
    }

    /// <summary>The contents of the section whose header starts at <paramref name="header"/>.</summary>
    private static ReadOnlySpan<byte> Section(ReadOnlySpan<byte> file, int header)
    {
        var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(file[(header + 0x18)..]);
        var size = (int)BinaryPrimitives.ReadUInt64LittleEndian(file[(header + 0x20)..]);
        return file.Slice(offset, size);
    }
}
