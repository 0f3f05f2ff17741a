#!/usr/bin/env escript
%% S13 ME-Identity-Check client (the MME side) on OTP diameter (erlang-diameter + erlang-dev on Debian 12).
%%
%% Usage: escript s13_client.escript DICT_DIR      (DICT_DIR holds s13_dict.beam; run_erl_s13.sh builds it)
%%
%% Everything else comes from the environment, so a test can drive it:
%%   PORT          server port on HOST (default 3868)            HOST   default 127.0.0.1
%%   CASES         file of verbose cases, one a line:  IMEI SOFTWARE-VERSION|- IMSI|- EXPECTED
%%                 EXPECTED: ok:S (2001 + Equipment-Status S), exp:C (Experimental-Result-Code C), rc:C (Result-Code C)
%%   N, CONC       N load ECRs spread over CONC workers (default 0 and 10)
%%   IMEIS         load IMEIs, one a line: IMEI [EXPECTED]; without EXPECTED any 2001 + Equipment-Status is a success
%%   LOAD_IMSI     User-Name sent with the load ECRs (default: none)
%%   HOLD_MS       keep the peer up this long after the load (watchdogs), then run the first case again (default 0)
%%   WATCHDOG_MS   our own watchdog timer Tw (default 6000)
%%   LOAD_TIMEOUT_MS  bound on the whole load phase (default 300000); CALL_TIMEOUT_MS per request (default 5000)
%%   CONNECT_TIMEOUT_MS  how long to wait for CER/CEA (default 10000)
%%   AWAIT_SERVER_DPR_MS  instead of disconnecting, wait this long for the server to send DPR (its shutdown)
%%
%% OTP validates every answer against s13.dia (answer_errors = callback): an ECA that does not decode cleanly
%% (no Auth-Session-State, a bad AVP length, a wrong V bit, ...) is a failure here, reported with OTP's errors.
%%
%% Output, one machine-readable line each:
%%   PEER_UP local=... remote=... product=...
%%   CASE phase=initial|after_hold imei=... sv=... imsi=... got=ok:0 expected=ok:0 PASS|FAIL
%%   S13_LOAD sent=... ok=... errors=... ms=... rate=.../s tally=...
%%   WATCHDOG dwr_sent=... dwa_recv=... dwr_recv=... dwa_sent=...     (from diameter:service_info/2 statistics)
%%   EVENT ...                                                         (every diameter event after peer up)
%%   DPR sent=... dpa_recv=...  and  PEER_DOWN ...                      (on transport removal)
%%   with AWAIT_SERVER_DPR_MS=T instead: AWAITING_SERVER_DPR, then wait up to T ms for the server to send DPR
%%   SERVER_DPR recv=... dpa_sent=... down=true|false
%%   S13_RESULT PASS|FAIL failures=...
%% Exit 0 when everything passed, 1 on any failure, 2 when the peer never came up.
-mode(compile).
-include_lib("diameter/include/diameter.hrl").
-export([tw/1]).
-export([peer_up/3, peer_down/3, pick_peer/4, prepare_request/3, prepare_retransmit/3,
         handle_answer/4, handle_error/4, handle_request/3]).

-define(SVC, s13_client).
-define(OH, "mme-erl.localdomain").
-define(OR, "localdomain").
-define(S13, 16777252).
-define(TGPP, 10415).

main([Dir]) ->
    true = code:add_patha(Dir),
    {module, s13_dict} = code:ensure_loaded(s13_dict),
    Host = parse_ip(env("HOST", "127.0.0.1")),
    Port = ienv("PORT", 3868),
    ok = diameter:start(),
    ok = diameter:start_service(?SVC,
           [{'Origin-Host', ?OH}, {'Origin-Realm', ?OR},
            {'Host-IP-Address', [Host]},
            {'Vendor-Id', 0}, {'Product-Name', "otp-s13-client"},
            {'Supported-Vendor-Id', [?TGPP]},
            {'Vendor-Specific-Application-Id',
             [[{'Vendor-Id', ?TGPP}, {'Auth-Application-Id', [?S13]}]]},
            {decode_format, map}, {string_decode, false},
            {application, [{alias, s13}, {dictionary, s13_dict}, {module, ?MODULE},
                           {answer_errors, callback}]}]),   % handle_answer/4 sees OTP's decode errors
    true = diameter:subscribe(?SVC),
    {ok, TRef} = diameter:add_transport(?SVC,
           {connect, [{transport_module, diameter_tcp},
                      {transport_config, [{raddr, Host}, {rport, Port}]},
                      {watchdog_timer, watchdog_timer(ienv("WATCHDOG_MS", 6000))}]}),
    wait_up(ienv("CONNECT_TIMEOUT_MS", 10000)),
    Cases = read_cases(env("CASES", "")),
    F1 = run_cases(initial, Cases),
    F2 = run_load(ienv("N", 0), max(1, ienv("CONC", 10))),
    Hold = ienv("HOLD_MS", 0),
    F3 = case Hold > 0 of
             true -> timer:sleep(Hold), flush_events(), run_cases(after_hold, lists:sublist(Cases, 1));
             false -> 0
         end,
    F4 = watchdog_report(),
    {F5, F6} = case ienv("AWAIT_SERVER_DPR_MS", 0) of
                   0 -> {flush_events(), disconnect(TRef)};
                   Ms -> {0, await_server_dpr(TRef, Ms)}
               end,
    Failures = F1 + F2 + F3 + F4 + F5 + F6,
    io:format("S13_RESULT ~s failures=~p~n", [pass(Failures == 0), Failures]),
    diameter:stop_service(?SVC),
    halt(case Failures of 0 -> 0; _ -> 1 end);
main(_) ->
    io:format(standard_error, "usage: escript s13_client.escript DICT_DIR (options in the environment)~n", []),
    halt(64).

%% --- connection --------------------------------------------------------------------------------------------

wait_up(Timeout) ->
    receive
        {diameter_event, ?SVC, {up, _Ref, _Peer, _Config, #diameter_packet{msg = Cea}}} ->
            io:format("PEER_UP local=~s remote=~s product=~s result=~p~n",
                      [?OH, s(get_avp(Cea, 'Origin-Host')), s(get_avp(Cea, 'Product-Name')),
                       get_avp(Cea, 'Result-Code')]);
        {diameter_event, ?SVC, Other} ->
            io:format("EVENT ~s~n", [event(Other)]),
            wait_up(Timeout)
    after Timeout ->
        io:format("PEER_UP_TIMEOUT no CER/CEA within ~p ms~n", [Timeout]),
        io:format("S13_RESULT FAIL failures=1~n"),
        halt(2)
    end.

%% The server ends the connection (on SIGTERM, say): it sends DPR, OTP answers DPA and the peer goes down. The
%% line AWAITING_SERVER_DPR tells the driving test that the trace is armed.
await_server_dpr(TRef, Ms) ->
    Tracer = trace_stats(),
    io:format("AWAITING_SERVER_DPR ms=~p~n", [Ms]),
    Deadline = erlang:monotonic_time(millisecond) + Ms,
    Down = await_down(Deadline),
    Counts = untrace_stats(Tracer),
    DprRecv = maps:get({{0, 282, 1}, recv}, Counts, 0),
    DpaSent = maps:get({{0, 282, 0}, send}, Counts, 0),
    io:format("SERVER_DPR recv=~p dpa_sent=~p down=~p~n", [DprRecv, DpaSent, Down]),
    diameter:remove_transport(?SVC, TRef),     % stop OTP from reconnecting
    case Down andalso DprRecv >= 1 andalso DpaSent >= 1 of true -> 0; false -> 1 end.

await_down(Deadline) ->
    receive
        {diameter_event, ?SVC, {down, _, _, _} = E} -> io:format("PEER_DOWN ~s~n", [event(E)]), true;
        {diameter_event, ?SVC, E} -> io:format("EVENT ~s~n", [event(E)]), await_down(Deadline)
    after max(0, Deadline - erlang:monotonic_time(millisecond)) ->
        io:format("PEER_DOWN_TIMEOUT the server did not disconnect~n"), false
    end.

trace_stats() ->
    Self = self(),
    Tracer = spawn(fun() -> count_traced(Self, #{}) end),
    erlang:trace(all, true, [call, {tracer, Tracer}]),
    erlang:trace_pattern({diameter_stats, incr, '_'}, true, [global]),
    Tracer.

untrace_stats(Tracer) ->
    erlang:trace(all, false, [call]),
    Tracer ! {report, self()},
    receive {counts, C} -> C after 2000 -> #{} end.

%% Removing the transport makes OTP send DPR and wait for DPA (dpa_timeout, 1 s by default) before closing. The
%% connection's counters vanish with it, so the DPR/DPA exchange is counted by tracing diameter_stats:incr while
%% the transport goes down.
disconnect(TRef) ->
    Tracer = trace_stats(),
    ok = diameter:remove_transport(?SVC, TRef),
    Down = receive {diameter_event, ?SVC, {down, _, _, _} = E} -> io:format("PEER_DOWN ~s~n", [event(E)]), 0
           after 5000 -> io:format("PEER_DOWN_TIMEOUT no down event within 5000 ms~n"), 1
           end,
    Counts = untrace_stats(Tracer),
    DprSent = maps:get({{0, 282, 1}, send}, Counts, 0),
    DpaOk = maps:get({{0, 282, 0}, recv, {'Result-Code', 2001}}, Counts, 0),
    io:format("DPR sent=~p dpa_recv=~p dpa_result_2001=~p~n",
              [DprSent, maps:get({{0, 282, 0}, recv}, Counts, 0), DpaOk]),
    Down + case DprSent >= 1 andalso DpaOk >= 1 of true -> 0; false -> 1 end.

count_traced(Parent, Counts) ->
    receive
        {trace, _Pid, call, {diameter_stats, incr, [Ctr, _Peer, N]}} when is_integer(N) ->
            count_traced(Parent, maps:update_with(Ctr, fun(X) -> X + N end, N, Counts));
        {report, Parent} -> Parent ! {counts, Counts};
        _ -> count_traced(Parent, Counts)
    end.

%% OTP takes an integer Tw only from 6000 ms (RFC 3539 section 3.4.1 and its jitter); a shorter one, for tests
%% that want watchdogs in a few seconds, goes through a {M, F, A} that OTP calls for every interval.
watchdog_timer(Ms) when Ms >= 6000 -> Ms;
watchdog_timer(Ms) -> {?MODULE, tw, [Ms]}.

tw(Ms) -> Ms.

%% --- cases -------------------------------------------------------------------------------------------------

read_cases("") -> [];
read_cases(File) ->
    [list_to_tuple(split_line(L)) || L <- lines(File), length(split_line(L)) == 4].

run_cases(Phase, Cases) ->
    lists:sum([run_case(Phase, C) || C <- Cases]).

run_case(Phase, {Imei, Sv, Imsi, Expected}) ->
    Got = summarize(ecr(Imei, dash(Sv), dash(Imsi))),
    Ok = Got == Expected,
    io:format("CASE phase=~s imei=~s sv=~s imsi=~s got=~s expected=~s ~s~n",
              [Phase, Imei, Sv, Imsi, Got, Expected, pass(Ok)]),
    case Ok of true -> 0; false -> 1 end.

%% --- load --------------------------------------------------------------------------------------------------

run_load(0, _) -> 0;
run_load(N, Conc) ->
    Imeis = list_to_tuple([case split_line(L) of [I] -> {I, any}; [I, E | _] -> {I, E} end
                           || L <- lines(env("IMEIS", "")), split_line(L) /= []]),
    tuple_size(Imeis) > 0 orelse begin io:format("S13_LOAD no IMEIs (set IMEIS to a file)~n"), halt(1) end,
    Imsi = case env("LOAD_IMSI", "") of "" -> none; I -> I end,
    Deadline = erlang:monotonic_time(millisecond) + ienv("LOAD_TIMEOUT_MS", 300000),
    T0 = erlang:monotonic_time(millisecond),
    Self = self(),
    Shares = [N div Conc + case W =< N rem Conc of true -> 1; false -> 0 end || W <- lists:seq(1, Conc)],
    Pids = [spawn_link(fun() -> Self ! {done, self(), worker(W, Share, Imeis, Imsi, Deadline, #{})} end)
            || {W, Share} <- lists:zip(lists:seq(1, Conc), Shares)],
    Tallies = [receive {done, P, T} -> T
               after max(0, Deadline - erlang:monotonic_time(millisecond)) + 10000 -> #{}
               end || P <- Pids],
    Ms = max(1, erlang:monotonic_time(millisecond) - T0),
    Tally = lists:foldl(fun(T, Acc) -> maps:fold(fun(K, V, A) -> maps:update_with(K, fun(X) -> X + V end, V, A) end,
                                                 Acc, T) end, #{}, Tallies),
    Ok = maps:get(ok, Tally, 0),
    Done = lists:sum(maps:values(Tally)),
    Errors = N - Ok,     % anything not answered as expected, including requests never sent before the deadline
    io:format("S13_LOAD sent=~p ok=~p errors=~p ms=~p rate=~p/s tally=~0p~n",
              [Done, Ok, Errors, Ms, (Done * 1000) div Ms, maps:remove(ok, Tally)]),
    case Errors of 0 -> 0; _ -> 1 end.

worker(_W, 0, _Imeis, _Imsi, _Deadline, Acc) -> Acc;
worker(W, Left, Imeis, Imsi, Deadline, Acc) ->
    case erlang:monotonic_time(millisecond) > Deadline of
        true -> maps:update_with(deadline, fun(X) -> X + Left end, Left, Acc);
        false ->
            {Imei, Expected} = element(1 + (W * 7919 + Left) rem tuple_size(Imeis), Imeis),
            Got = summarize(ecr(Imei, "23", Imsi)),
            Key = case {Got, Expected} of
                      {"ok:" ++ _, any} -> ok;
                      {E, E} -> ok;
                      _ -> list_to_binary(Got)
                  end,
            worker(W, Left - 1, Imeis, Imsi, Deadline, maps:update_with(Key, fun(X) -> X + 1 end, 1, Acc))
    end.

%% --- watchdog ----------------------------------------------------------------------------------------------

%% RFC 3539 watchdogs: the server's Tw makes it send DWR (we answer DWA); ours makes us send DWR.
watchdog_report() ->
    S = stats(),
    io:format("WATCHDOG dwr_sent=~p dwa_recv=~p dwr_recv=~p dwa_sent=~p~n",
              [counter(S, {{0, 280, 1}, send}), counter(S, {{0, 280, 0}, recv}),
               counter(S, {{0, 280, 1}, recv}), counter(S, {{0, 280, 0}, send})]),
    0.

%% Counters of every peer connection of the service, summed: [{Key, Count}].
stats() ->
    case catch diameter:service_info(?SVC, statistics) of
        L when is_list(L) -> lists:append([Cs || {_, Cs} <- L, is_list(Cs)]);
        _ -> []
    end.

counter(Stats, Key) -> lists:sum([V || {K, V} <- Stats, K == Key, is_integer(V)]).

%% Anything but the events of an orderly life is a failure: a watchdog leaving OKAY, a peer going down.
flush_events() ->
    receive
        {diameter_event, ?SVC, E} ->
            io:format("EVENT ~s~n", [event(E)]),
            Bad = case E of
                      {watchdog, _, _, {_, To}, _} when To /= okay -> 1;
                      {down, _, _, _} -> 1;
                      _ -> 0
                  end,
            Bad + flush_events()
    after 0 -> 0
    end.

event({up, _, _, _, _}) -> "up";
event({up, _, _, _}) -> "up";
event({down, _, _, _}) -> "down";
event({watchdog, _, _, {From, To}, _}) -> io_lib:format("watchdog ~p->~p", [From, To]);
event({reconnect, _, _}) -> "reconnect";
event({closed, _, Reason, _}) -> io_lib:format("closed ~0p", [Reason]);
event(E) -> io_lib:format("~0P", [E, 12]).

%% --- requests ----------------------------------------------------------------------------------------------

ecr(Imei, Sv, Imsi) ->
    TI = #{'IMEI' => [Imei]},
    Req = #{'Session-Id' => diameter:session_id(?OH),
            'Auth-Session-State' => 1,                      % NO_STATE_MAINTAINED
            'Origin-Host' => ?OH, 'Origin-Realm' => ?OR,
            'Destination-Realm' => env("DEST_REALM", "localdomain"),
            'Destination-Host' => [env("DEST_HOST", "eir.localdomain")],
            'Vendor-Specific-Application-Id' => [#{'Vendor-Id' => ?TGPP, 'Auth-Application-Id' => [?S13]}],
            'Terminal-Information' => case Sv of none -> TI; _ -> TI#{'Software-Version' => [Sv]} end},
    diameter:call(?SVC, s13, ['ECR' | case Imsi of none -> Req; _ -> Req#{'User-Name' => [Imsi]} end],
                  [{timeout, ienv("CALL_TIMEOUT_MS", 5000)}]).

%% "ok:S" | "exp:C" | "rc:C" | "invalid:..." | "error:..." | "other:..."
summarize({ok, ['answer-message' | M]}) -> summarize_map(M);      % E bit set: RFC 6733 answer-message
summarize({ok, [_ | M]}) when is_map(M) -> summarize_map(M);
summarize({error, {decode_errors, Errors, _Msg}}) -> flat("invalid:~0p", [Errors]);
summarize({error, Reason}) -> flat("error:~0p", [Reason]);
summarize(Other) -> flat("other:~0P", [Other, 10]).

summarize_map(#{'Result-Code' := [2001], 'Equipment-Status' := [S]}) -> flat("ok:~p", [S]);
summarize_map(#{'Experimental-Result' := [#{'Experimental-Result-Code' := C}]}) -> flat("exp:~p", [C]);
summarize_map(#{'Result-Code' := [C]}) -> flat("rc:~p", [C]);
summarize_map(M) -> flat("other:~0P", [M, 10]).

%% --- diameter_app callbacks --------------------------------------------------------------------------------

peer_up(_Svc, _Peer, State) -> State.
peer_down(_Svc, _Peer, State) -> State.
pick_peer([Peer | _], _, _Svc, _State) -> {ok, Peer};
pick_peer([], _, _Svc, _State) -> false.
prepare_request(Packet, _Svc, _Peer) -> {send, Packet}.
prepare_retransmit(Packet, _Svc, _Peer) -> {send, Packet}.
handle_answer(#diameter_packet{msg = Msg, errors = []}, _Req, _Svc, _Peer) -> {ok, Msg};
handle_answer(#diameter_packet{msg = Msg, errors = Errors}, _Req, _Svc, _Peer) ->
    {error, {decode_errors, Errors, Msg}}.
handle_error(Reason, _Req, _Svc, _Peer) -> {error, Reason}.
handle_request(_Packet, _Svc, _Peer) -> {answer_message, 3001}.   % a client: no S13 requests expected

%% --- helpers -----------------------------------------------------------------------------------------------

get_avp(['CEA' | M], Name) when is_map(M) -> maps:get(Name, M, undefined);
get_avp(_, _) -> undefined.

s(B) when is_binary(B) -> binary_to_list(B);
s(L) when is_list(L) -> L;
s(X) -> flat("~0p", [X]).

dash("-") -> none;
dash(X) -> X.

pass(true) -> "PASS";
pass(false) -> "FAIL".

flat(Fmt, Args) -> lists:flatten(io_lib:format(Fmt, Args)).

env(Name, Default) -> case os:getenv(Name) of false -> Default; "" -> Default; V -> V end.
ienv(Name, Default) -> list_to_integer(env(Name, integer_to_list(Default))).

parse_ip(S) -> {ok, Ip} = inet:parse_address(S), Ip.

lines(File) ->
    {ok, Bin} = file:read_file(File),
    [L || L <- string:split(binary_to_list(Bin), "\n", all), not is_comment(L)].

is_comment(L) -> case string:trim(L) of "" -> true; "#" ++ _ -> true; _ -> false end.

split_line(L) -> string:lexemes(string:trim(L), " \t\r").
