using System.Net.Sockets;
using IronLb.Bgp.Session;
using IronLb.Bgp.Wire;

namespace IronLb.Bgp.Peering;

/// <summary>The driver's connection: dials beside the loop, writes, closes; each dial and connection has an epoch.</summary>
public sealed partial class BgpPeerDriver
{
    /// <summary>Dials on the thread pool; the result comes back as <see cref="DialDone"/>, so the loop never waits on the network.</summary>
    private void StartDial()
    {
        var epoch = ++_epoch;
        _dial?.Dispose();
        var timeout = _endpoint.ConnectTimeout < _config.ConnectRetryTime ? _endpoint.ConnectTimeout : _config.ConnectRetryTime;
        var dial = new CancellationTokenSource(timeout, _time);
        _dial = dial;
        _counts.Dials++;
        _ = Task.Run(() => DialAsync(epoch, timeout, dial.Token));
    }

    private async Task DialAsync(int epoch, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Socket? socket = null;
        string? error;
        try
        {
            socket = BgpConnection.Create(_endpoint);
            await socket.ConnectAsync(_endpoint.Remote, cancellationToken).ConfigureAwait(false);
            if (_inbox.Writer.TryWrite(new DialDone(epoch, socket, null)))
            {
                return;
            }

            error = "driver stopped";
        }
        catch (OperationCanceledException)
        {
            error = $"no answer within {timeout.TotalSeconds:0.#} s";
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ProtocolOption && _endpoint.Password is not null)
        {
            // MetalLB issue 1125: "protocol not available" says nothing; this does.
            error = $"the kernel refused TCP_MD5SIG (is CONFIG_TCP_MD5SIG enabled?): {e.Message}";
        }
        catch (SocketException e)
        {
            error = e.Message;
        }
        catch (ObjectDisposedException)
        {
            error = "dial abandoned";
        }

        socket?.Dispose();
        _inbox.Writer.TryWrite(new DialDone(epoch, null, error));
    }

    private async Task DialDoneAsync(DialDone dial)
    {
        if (dial.Epoch != _epoch || _connection is not null)
        {
            // The machine abandoned this dial (connect-retry, stop): its socket is not ours any more.
            dial.Socket?.Dispose();
            return;
        }

        if (dial.Socket is not { } socket)
        {
            _lastError = dial.Error;
            if (dial.Error != _loggedDialError)
            {
                // One line per change of error, not one per retry: a peer down for a day logs once.
                PeeringLog.DialFailing(_logger, _peer, dial.Error ?? "unknown");
                _loggedDialError = dial.Error;
            }

            await HandleAsync(new TcpFailedEvent(Now)).ConfigureAwait(false);
            return;
        }

        var connection = new BgpConnection(socket, dial.Epoch);
        _connection = connection;
        PeeringLog.Connected(_logger, _peer, connection.Local);
        connection.StartReading(_inbox.Writer.TryWrite);
        await HandleAsync(new TcpConnectedEvent(Now)).ConfigureAwait(false);
    }

    private async Task SendAsync(BgpMessage message)
    {
        if (_connection is not { } connection)
        {
            return;
        }

        if (message is NotificationMessage notification)
        {
            PeeringLog.NotificationSent(_logger, _peer, NotificationText.Describe(notification));
        }

        try
        {
            await connection.SendAsync(BgpCodec.Encode(message, _state.FourOctetAs), CancellationToken.None).ConfigureAwait(false);
            _counts.Sent(message.Type);
        }
        catch (IOException e)
        {
            // The read loop sees the same break; this makes sure the machine hears of it even if it does not.
            _inbox.Writer.TryWrite(new ConnectionEnded(connection.Epoch, e.InnerException?.Message ?? e.Message));
        }
        catch (ObjectDisposedException)
        {
            _inbox.Writer.TryWrite(new ConnectionEnded(connection.Epoch, "closed"));
        }
    }

    /// <summary>Abandons a dial in progress and closes the connection; <paramref name="linger"/> lets our last bytes reach the peer in the background.</summary>
    private async Task CloseConnectionAsync(bool linger = false)
    {
        _epoch++;
        _dial?.Cancel();
        if (_connection is not { } connection)
        {
            return;
        }

        _connection = null;
        _closing.RemoveAll(t => t.IsCompleted);
        if (linger)
        {
            _closing.Add(connection.CloseAsync(_time));
        }
        else
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Counts by message type, kept by the loop alone (one writer); the snapshot copies them into a record.</summary>
    private struct MessageCounts
    {
        public long OpensSent, OpensReceived, UpdatesSent, UpdatesReceived, KeepalivesSent, KeepalivesReceived;
        public long NotificationsSent, NotificationsReceived, RouteRefreshesReceived, TotalReceived, Dials, SessionsEstablished;

        public void Sent(BgpMessageType type)
        {
            switch (type)
            {
                case BgpMessageType.Open: OpensSent++; break;
                case BgpMessageType.Update: UpdatesSent++; break;
                case BgpMessageType.Keepalive: KeepalivesSent++; break;
                case BgpMessageType.Notification: NotificationsSent++; break;
                default: break;
            }
        }

        public void Received(BgpMessageType type)
        {
            TotalReceived++;
            switch (type)
            {
                case BgpMessageType.Open: OpensReceived++; break;
                case BgpMessageType.Update: UpdatesReceived++; break;
                case BgpMessageType.Keepalive: KeepalivesReceived++; break;
                case BgpMessageType.Notification: NotificationsReceived++; break;
                default: break;
            }
        }

        public readonly BgpPeerCounters ToRecord() => new()
        {
            OpensSent = OpensSent,
            OpensReceived = OpensReceived,
            UpdatesSent = UpdatesSent,
            UpdatesReceived = UpdatesReceived,
            KeepalivesSent = KeepalivesSent,
            KeepalivesReceived = KeepalivesReceived,
            NotificationsSent = NotificationsSent,
            NotificationsReceived = NotificationsReceived,
            RouteRefreshesReceived = RouteRefreshesReceived,
            TotalReceived = TotalReceived,
            Dials = Dials,
            SessionsEstablished = SessionsEstablished,
        };
    }
}
