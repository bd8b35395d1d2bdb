using System.Runtime.InteropServices;

namespace IronLb.Networking.Interop;

/// <summary>
/// rtnetlink for policy routing (linux/netlink.h, linux/rtnetlink.h, linux/fib_rules.h): the message types,
/// flags, headers and attributes IronLB's egress uses to add, list and remove `ip rule`s and routes.
/// </summary>
internal static partial class Libc
{
    public const ushort NlmsgError = 2;
    public const ushort NlmsgDone = 3;

    public const ushort RtmNewRoute = 24;
    public const ushort RtmDelRoute = 25;
    public const ushort RtmGetRoute = 26;
    public const ushort RtmNewRule = 32;
    public const ushort RtmDelRule = 33;
    public const ushort RtmGetRule = 34;

    public const ushort NlmFRequest = 0x1;
    public const ushort NlmFMulti = 0x2;
    public const ushort NlmFAck = 0x4;
    public const ushort NlmFReplace = 0x100;
    public const ushort NlmFExcl = 0x200;
    public const ushort NlmFCreate = 0x400;
    public const ushort NlmFDump = 0x300;

    public const byte AfInet = 2;
    public const byte AfInet6 = 10;

    /// <summary>RTA_*: route attributes.</summary>
    public const ushort RtaDst = 1;
    public const ushort RtaOif = 4;
    public const ushort RtaGateway = 5;
    public const ushort RtaPriority = 6;
    public const ushort RtaTable = 15;

    /// <summary>FRA_*: rule attributes.</summary>
    public const ushort FraPriority = 6;
    public const ushort FraFwmark = 10;
    public const ushort FraTable = 15;
    public const ushort FraFwmask = 16;

    /// <summary>FR_ACT_TO_TBL: a rule that looks up a table.</summary>
    public const byte FrActToTbl = 1;

    public const byte RtProtStatic = 4;
    public const byte RtScopeUniverse = 0;
    public const byte RtnUnicast = 1;

    public const int Eexist = 17;
    public const int Esrch = 3;

    /// <summary>struct nlmsghdr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct NlMsgHdr
    {
        public uint Length;
        public ushort Type;
        public ushort Flags;
        public uint Sequence;
        public uint Pid;
    }

    /// <summary>struct rtmsg.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RtMsg
    {
        public byte Family;
        public byte DstLen;
        public byte SrcLen;
        public byte Tos;
        public byte Table;
        public byte Protocol;
        public byte Scope;
        public byte Type;
        public uint Flags;
    }

    /// <summary>struct fib_rule_hdr.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FibRuleHdr
    {
        public byte Family;
        public byte DstLen;
        public byte SrcLen;
        public byte Tos;
        public byte Table;
        public byte Reserved1;
        public byte Reserved2;
        public byte Action;
        public uint Flags;
    }
}
