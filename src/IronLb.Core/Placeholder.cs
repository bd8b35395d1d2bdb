namespace IronLb.Core;

internal static class Placeholder
{
}
