using CsCheck;
using IronLb.Bgp.Wire;
using IronLb.Fuzz.Exercises;

namespace IronLb.Bgp.Tests.Wire;

/// <summary>The codec's invariants over generated messages and bytes.</summary>
public sealed class RoundTripPropertyTests
{
    [Fact]
    public void Encode_then_decode_is_the_identity() =>
        Gens.Message.Sample(t =>
        {
            var bytes = BgpCodec.Encode(t.Message, t.FourOctetAs);
            var result = BgpCodec.TryDecode(bytes, new BgpDecodeContext(t.FourOctetAs));

            Assert.True(result.IsAccepted, $"{result.Fault} for {t.Message}");
            Assert.Equal(t.Message, result.Message);
            Assert.Equal(bytes.Length, BgpCodec.GetEncodedLength(t.Message, t.FourOctetAs));
        }, iter: 3_000);

    [Fact]
    public void The_decoder_never_throws_on_random_bytes() =>
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            BgpCodec.TryDecode(bytes, new BgpDecodeContext(true));
            BgpCodec.TryDecode(bytes, new BgpDecodeContext(false, 64512, 1));
        }, iter: 5_000);

    [Fact]
    public void The_decoder_never_throws_on_random_bodies_behind_a_valid_header() =>
        Gen.Select(Gen.Byte[0, 7], Gen.Byte.Array[0, 400], (type, body) => Golden.Message(type, body)).Sample(bytes =>
        {
            var result = BgpCodec.TryDecode(bytes, new BgpDecodeContext(true));
            Assert.True(Enum.IsDefined(result.Fault));
            BgpExercise.Run(bytes);
        }, iter: 5_000);

    [Fact]
    public void The_decoder_never_throws_on_a_single_byte_mutation_of_a_valid_message() =>
        Gen.Select(Gens.Message, Gen.Int[0, int.MaxValue], Gen.Byte, (t, at, value) => (t, at, value)).Sample(x =>
        {
            var bytes = BgpCodec.Encode(x.t.Message, x.t.FourOctetAs);
            bytes[x.at % bytes.Length] = x.value;

            BgpExercise.Run(bytes);
        }, iter: 5_000);
}
