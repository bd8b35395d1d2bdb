using IronLb.Networking;
using IronLb.Speaker.Files;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static IronLb.Testing.Eventually;

namespace IronLb.Speaker.Tests.Files;

/// <summary>Reloading: file changes and the periodic re-read publish new tables; bad input keeps the last good one.</summary>
public sealed class ManifestSpeakerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ironlb-speaker-test-").FullName;
    private readonly List<AnnounceTable> _published = [];
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Invalid_reload_keeps_the_last_good_table_and_a_fixed_one_replaces_it()
    {
        Write("lab.yaml", LabManifests.All());
        using var speaker = Create("cwn2");
        speaker.Reload();
        Assert.True(speaker.Ready);
        var good = Assert.Single(_published);
        Assert.Equal(["192.0.2.192", "2001:db8:3a::25"], Addresses(good));

        Write("broken.yaml", "kind: [unclosed");
        speaker.Reload();
        Assert.Single(_published);
        Assert.Same(good, speaker.Current!.Table);

        Write("broken.yaml", "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: broken, namespace: metallb-system}\nspec: {addresses: [not-a-cidr]}");
        speaker.Reload();
        Assert.Single(_published);

        File.Delete(Path.Combine(_dir, "broken.yaml"));
        Write("lab.yaml", LabManifests.All(LabManifests.Nodes("cwn2")));
        speaker.Reload();
        Assert.Equal(2, _published.Count);
        Assert.Equal(8, Last().Count); // the only speaker wins everything
    }

    [Fact]
    public void Unusable_first_read_publishes_nothing_and_is_not_ready()
    {
        Write("lab.yaml", "kind: [unclosed");
        using var speaker = Create("cwn2");
        speaker.Reload();
        Assert.False(speaker.Ready);
        Assert.Empty(_published);
    }

    [Fact]
    public async Task Periodic_reread_picks_up_changes_without_file_events()
    {
        Write("lab.yaml", LabManifests.All());
        using var speaker = Create("cwn2", reload: TimeSpan.FromSeconds(10), watch: false);
        using var cts = new CancellationTokenSource();
        var run = speaker.RunAsync(cts.Token);
        await WaitForAsync(() => speaker.Attempts >= 1, "the first read");
        Assert.Equal(2, Last().Count);

        Write("lab.yaml", LabManifests.All(LabManifests.Nodes("cwn2")));
        await WaitForAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return Last().Count == 8;
            },
            "the change to be published");

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task File_change_is_read_after_the_debounce_without_waiting_for_the_period()
    {
        Write("lab.yaml", LabManifests.All());
        using var speaker = Create("cwn2", reload: TimeSpan.FromHours(1));
        using var cts = new CancellationTokenSource();
        var run = speaker.RunAsync(cts.Token);
        await WaitForAsync(() => speaker.Attempts >= 1, "the first read");

        // Replace by rename, as editors and GitOps tools do.
        var temp = Path.Combine(_dir, ".lab.yaml.tmp");
        File.WriteAllText(temp, LabManifests.All(LabManifests.Nodes("cwn2")));
        File.Move(temp, Path.Combine(_dir, "lab.yaml"), overwrite: true);
        await WaitForAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(100)); // far less than the hour-long period
                return Last().Count == 8;
            },
            "the file change to be published");
        Assert.True(_time.GetUtcNow() - _time.Start < TimeSpan.FromHours(1));

        await cts.CancelAsync();
        await run;
    }

    private AnnounceTable Last()
    {
        lock (_published)
        {
            return _published[^1];
        }
    }

    private static string[] Addresses(AnnounceTable table) => [.. table.Addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal)];

    private ManifestSpeaker Create(string node, TimeSpan? reload = null, bool watch = true) =>
        new(
            new ManifestSpeakerOptions { Node = node, Paths = [_dir], ReloadInterval = reload ?? TimeSpan.FromSeconds(10), WatchFiles = watch },
            t =>
            {
                lock (_published)
                {
                    _published.Add(t);
                }
            },
            _time,
            NullLogger<ManifestSpeaker>.Instance);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_dir, name), text);
}
