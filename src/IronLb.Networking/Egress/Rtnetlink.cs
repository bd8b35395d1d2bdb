using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using IronLb.Networking.Interop;

namespace IronLb.Networking.Egress;

/// <summary>
/// A NETLINK_ROUTE socket for rules and routes: one request at a time, each acknowledged (or a dump read to its
/// end) before the next. The socket opens on first use, in the network namespace of the calling thread, and
/// is reused. Failures come back as the kernel's error text, never as exceptions.
/// </summary>
internal sealed unsafe class Rtnetlink : IDisposable
{
    private const int HeaderSize = 16;
    private readonly byte[] _receive = new byte[65536];
    private readonly byte[] _request = new byte[256];
    private Socket? _socket;
    private uint _sequence;

    /// <summary>Requests sent (each one message, each answered), for the egress bench.</summary>
    public long Messages { get; private set; }

    public void Dispose() => _socket?.Dispose();

    public (List<KernelRule> Rules, string? Error) DumpRules()
    {
        var rules = new List<KernelRule>();
        var header = new Libc.FibRuleHdr();
        var error = Dump(Libc.RtmGetRule, new ReadOnlySpan<byte>(&header, sizeof(Libc.FibRuleHdr)), (payload) =>
        {
            if (payload.Length < sizeof(Libc.FibRuleHdr) || FamilyOf(payload[0]) is not { } family)
            {
                return;
            }

            uint priority = 0, table = payload[4];
            uint? mark = null, mask = null;
            foreach (var (type, value) in Attributes(payload[sizeof(Libc.FibRuleHdr)..]))
            {
                switch (type)
                {
                    case Libc.FraPriority when value.Length >= 4: priority = BitConverter.ToUInt32(value); break;
                    case Libc.FraTable when value.Length >= 4: table = BitConverter.ToUInt32(value); break;
                    case Libc.FraFwmark when value.Length >= 4: mark = BitConverter.ToUInt32(value); break;
                    case Libc.FraFwmask when value.Length >= 4: mask = BitConverter.ToUInt32(value); break;
                }
            }

            rules.Add(new KernelRule(family, priority, table, mark, mask));
        });
        return (rules, error);
    }

    public (List<KernelRoute> Routes, string? Error) DumpRoutes()
    {
        var routes = new List<KernelRoute>();
        var header = new Libc.RtMsg();
        var error = Dump(Libc.RtmGetRoute, new ReadOnlySpan<byte>(&header, sizeof(Libc.RtMsg)), (payload) =>
        {
            if (payload.Length < sizeof(Libc.RtMsg) || FamilyOf(payload[0]) is not { } family)
            {
                return;
            }

            uint table = payload[4];
            IPAddress? destination = null, gateway = null;
            uint? oif = null, metric = null;
            foreach (var (type, value) in Attributes(payload[sizeof(Libc.RtMsg)..]))
            {
                switch (type)
                {
                    case Libc.RtaTable when value.Length >= 4: table = BitConverter.ToUInt32(value); break;
                    case Libc.RtaDst when value.Length is 4 or 16: destination = new IPAddress(value); break;
                    case Libc.RtaGateway when value.Length is 4 or 16: gateway = new IPAddress(value); break;
                    case Libc.RtaOif when value.Length >= 4: oif = BitConverter.ToUInt32(value); break;
                    case Libc.RtaPriority when value.Length >= 4: metric = BitConverter.ToUInt32(value); break;
                }
            }

            routes.Add(new KernelRoute(family, table, payload[1], destination, gateway, oif, metric));
        });
        return (routes, error);
    }

    public string? AddRule(KernelRule rule) => Request(Libc.RtmNewRule, Libc.NlmFCreate | Libc.NlmFExcl, RuleMessage(rule), Libc.Eexist);

    public string? DeleteRule(KernelRule rule) => Request(Libc.RtmDelRule, 0, RuleMessage(rule), Libc.Enoent);

    public string? ReplaceDefaultRoute(EgressRoute route)
    {
        var m = new Message(_request, sizeof(Libc.RtMsg));
        var header = new Libc.RtMsg
        {
            Family = FamilyByte(route.Family), Protocol = Libc.RtProtStatic, Scope = Libc.RtScopeUniverse, Type = Libc.RtnUnicast,
        };
        MemoryMarshal.Write(_request.AsSpan(HeaderSize), in header);
        m.Add(Libc.RtaTable, route.Table);
        m.Add(Libc.RtaGateway, route.NextHop);
        return Request(Libc.RtmNewRoute, Libc.NlmFCreate | Libc.NlmFReplace, m.Length, 0);
    }

    public string? DeleteRoute(KernelRoute route)
    {
        var m = new Message(_request, sizeof(Libc.RtMsg));
        // Scope "nowhere" and no type or protocol: match the route by what is given below, whatever those are.
        var header = new Libc.RtMsg { Family = FamilyByte(route.Family), DstLen = route.DstLength, Scope = 255 };
        MemoryMarshal.Write(_request.AsSpan(HeaderSize), in header);
        m.Add(Libc.RtaTable, route.Table);
        if (route.Destination is { } destination)
        {
            m.Add(Libc.RtaDst, destination);
        }

        if (route.Gateway is { } gateway)
        {
            m.Add(Libc.RtaGateway, gateway);
        }

        if (route.OutputInterface is { } oif)
        {
            m.Add(Libc.RtaOif, oif);
        }

        if (route.Metric is { } metric)
        {
            m.Add(Libc.RtaPriority, metric);
        }

        return Request(Libc.RtmDelRoute, 0, m.Length, Libc.Esrch);
    }

    private int RuleMessage(KernelRule rule)
    {
        var m = new Message(_request, sizeof(Libc.FibRuleHdr));
        var header = new Libc.FibRuleHdr
        {
            Family = FamilyByte(rule.Family), Table = rule.Table < 256 ? (byte)rule.Table : (byte)0, Action = Libc.FrActToTbl,
        };
        MemoryMarshal.Write(_request.AsSpan(HeaderSize), in header);
        m.Add(Libc.FraPriority, rule.Priority);
        m.Add(Libc.FraTable, rule.Table);
        if (rule.Mark is { } mark)
        {
            m.Add(Libc.FraFwmark, mark);
        }

        if (rule.Mask is { } mask)
        {
            m.Add(Libc.FraFwmask, mask);
        }

        return m.Length;
    }

    /// <summary>Sends the request in _request (payload already written), waits for its acknowledgement.</summary>
    private string? Request(ushort type, ushort flags, int length, int harmlessErrno)
    {
        if (Send(type, (ushort)(Libc.NlmFRequest | Libc.NlmFAck | flags), length) is { } sendError)
        {
            return sendError;
        }

        string? result = null;
        var done = false;
        var readError = Read(message =>
        {
            if (message.Type == Libc.NlmsgError)
            {
                var errno = -BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
                result = errno == 0 || errno == harmlessErrno ? null : Marshal.GetPInvokeErrorMessage(errno);
                done = true;
            }
        }, () => done);
        return readError ?? result;
    }

    private string? Dump(ushort type, ReadOnlySpan<byte> header, Action<ReadOnlySpan<byte>> each)
    {
        header.CopyTo(_request.AsSpan(HeaderSize));
        if (Send(type, Libc.NlmFRequest | Libc.NlmFDump, header.Length) is { } sendError)
        {
            return sendError;
        }

        string? result = null;
        var done = false;
        var readError = Read(message =>
        {
            switch (message.Type)
            {
                case Libc.NlmsgDone:
                    done = true;
                    break;
                case Libc.NlmsgError:
                    var errno = -BinaryPrimitives.ReadInt32LittleEndian(message.Payload);
                    result = Marshal.GetPInvokeErrorMessage(errno);
                    done = true;
                    break;
                default:
                    each(message.Payload);
                    break;
            }
        }, () => done);
        return readError ?? result;
    }

    private string? Send(ushort type, ushort flags, int payloadLength)
    {
        if (_socket is null && Open() is { } openError)
        {
            return openError;
        }

        var total = HeaderSize + payloadLength;
        var header = new Libc.NlMsgHdr { Length = (uint)total, Type = type, Flags = flags, Sequence = ++_sequence };
        MemoryMarshal.Write(_request, in header);
        Messages++;
        fixed (byte* p = _request)
        {
            if (Libc.Send(_socket!.SafeHandle, p, (nuint)total, 0) != total)
            {
                return $"send: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
            }
        }

        return null;
    }

    private readonly ref struct Reply(ushort type, ReadOnlySpan<byte> payload)
    {
        public ushort Type { get; } = type;

        public ReadOnlySpan<byte> Payload { get; } = payload;
    }

    private delegate void ReplyHandler(Reply reply);

    /// <summary>Reads datagrams until <paramref name="done"/>, handing each message of our sequence to <paramref name="handle"/>.</summary>
    private string? Read(ReplyHandler handle, Func<bool> done)
    {
        while (!done())
        {
            int n;
            try
            {
                n = _socket!.Receive(_receive);
            }
            catch (SocketException e)
            {
                return $"receive: {e.Message}";
            }

            var span = _receive.AsSpan(0, n);
            while (span.Length >= HeaderSize)
            {
                var header = MemoryMarshal.Read<Libc.NlMsgHdr>(span);
                if (header.Length < HeaderSize || header.Length > span.Length)
                {
                    return "receive: a malformed netlink message";
                }

                if (header.Sequence == _sequence)
                {
                    handle(new Reply(header.Type, span[HeaderSize..(int)header.Length]));
                }

                span = span[Math.Min(span.Length, (int)((header.Length + 3) & ~3u))..];
            }
        }

        return null;
    }

    private string? Open()
    {
        var fd = Libc.Socket(Libc.AfNetlink, Libc.SockRaw | Libc.SockCloexec, Libc.NetlinkRoute);
        if (fd < 0)
        {
            return $"socket(AF_NETLINK): {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
        }

        var address = new Libc.SockaddrNl { Family = Libc.AfNetlink };
        if (Libc.Bind(fd, &address, sizeof(Libc.SockaddrNl)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Libc.Close(fd);
            return $"bind(AF_NETLINK): {Marshal.GetPInvokeErrorMessage(errno)}";
        }

        // A kernel that never answers must not hang the speaker's loop.
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { ReceiveTimeout = 5000 };
        return null;
    }

    private static List<(ushort Type, byte[] Value)> Attributes(ReadOnlySpan<byte> span)
    {
        var attributes = new List<(ushort, byte[])>();
        while (span.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[2..]) & 0x3fff);
            if (length < 4 || length > span.Length)
            {
                break;
            }

            attributes.Add((type, span[4..length].ToArray()));
            span = span[Math.Min(span.Length, (length + 3) & ~3)..];
        }

        return attributes;
    }

    private static AddressFamily? FamilyOf(byte family) => family switch
    {
        Libc.AfInet => AddressFamily.InterNetwork,
        Libc.AfInet6 => AddressFamily.InterNetworkV6,
        _ => null,
    };

    private static byte FamilyByte(AddressFamily family) => family == AddressFamily.InterNetwork ? Libc.AfInet : Libc.AfInet6;

    /// <summary>Appends rtattrs after the family header in a request buffer.</summary>
    private ref struct Message(byte[] buffer, int headerLength)
    {
        public int Length { get; private set; } = headerLength;

        public void Add(ushort type, uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
            Add(type, bytes);
        }

        public void Add(ushort type, IPAddress address) => Add(type, address.GetAddressBytes());

        private void Add(ushort type, scoped ReadOnlySpan<byte> value)
        {
            var at = buffer.AsSpan(HeaderSize + Length);
            BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)(4 + value.Length));
            BinaryPrimitives.WriteUInt16LittleEndian(at[2..], type);
            value.CopyTo(at[4..]);
            Length += (4 + value.Length + 3) & ~3;
        }
    }
}
