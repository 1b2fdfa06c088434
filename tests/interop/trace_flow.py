#!/usr/bin/env python3
"""Reads parley's JSON trace (--trace=json: one event a line, each connection's events appended
when it ends) and prints one line per connection, so a shell test can pick connection K with
`sed -n Kp`. A connection starts at each ClientHello.

  trace_flow.py TRACE count           the number of connections
  trace_flow.py TRACE flow            the messages in order, each named by its sender:
                                      "C:ClientHello S:ServerHello ... C:Alert(close_notify)";
                                      consecutive ApplicationData from one side count once
                                      (the records an HTTP body happens to be cut into vary)
  trace_flow.py TRACE field MSG NAME  the field NAME of the first message MSG ("-" if none)
  trace_flow.py TRACE steps           the steps, joined by " | "
  trace_flow.py TRACE split           all of that at once (a python start is slow on a loaded
                                      machine): TRACE.flow, TRACE.steps, and TRACE.fields, whose
                                      lines hold every MSG.NAME=VALUE of ClientHello and
                                      ServerHello, tab-separated

The sender-based names make one expected flow fit both a client's and a server's trace."""
import json
import sys


def connections(path):
    conns = []
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except FileNotFoundError:
        return conns
    for line in lines:
        try:
            ev = json.loads(line)
        except ValueError:
            continue  # a line being written while we read
        hello = ev.get("kind") == "message" and ev.get("name") == "ClientHello"
        # (the record that carries a ClientHello is traced before it: it stays behind)
        if not conns or hello and any(e.get("kind") == "message" for e in conns[-1]):
            conns.append([])
        conns[-1].append(ev)
    return conns


def sender(ev):
    role, out = ev.get("role"), ev.get("dir") == "out"
    if role == "client":
        return "C" if out else "S"
    return "S" if out else "C"


def flow(conn):
    out = []
    for ev in conn:
        if ev.get("kind") != "message":
            continue
        name = ev["name"]
        if name == "Alert":
            name += "(%s)" % ev.get("fields", {}).get("description", "?")
        item = "%s:%s" % (sender(ev), name)
        if name == "ApplicationData" and out and out[-1] == item:
            continue
        out.append(item)
    return " ".join(out)


def field(conn, msg, name):
    for ev in conn:
        if ev.get("kind") == "message" and ev.get("name") == msg:
            return str(ev.get("fields", {}).get(name, "-"))
    return "-"


def main():
    path, mode = sys.argv[1], sys.argv[2]
    conns = connections(path)
    if mode == "count":
        print(len(conns))
        return
    if mode == "split":
        with open(path + ".flow", "w") as f:
            f.writelines(flow(c) + "\n" for c in conns)
        with open(path + ".steps", "w") as f:
            f.writelines(" | ".join(e["name"] for e in c if e.get("kind") == "step") + "\n"
                         for c in conns)
        with open(path + ".fields", "w") as f:
            for c in conns:
                items, seen = [], set()
                for ev in c:
                    name = ev.get("name")
                    if ev.get("kind") != "message" or name not in ("ClientHello", "ServerHello"):
                        continue
                    if name in seen:
                        continue
                    seen.add(name)
                    items += ["%s.%s=%s" % (name, k, v) for k, v in ev.get("fields", {}).items()]
                f.write("\t".join(items) + "\n")
        return
    for conn in conns:
        if mode == "flow":
            print(flow(conn))
        elif mode == "field":
            print(field(conn, sys.argv[3], sys.argv[4]))
        elif mode == "steps":
            print(" | ".join(ev["name"] for ev in conn if ev.get("kind") == "step"))
        else:
            sys.exit("unknown mode " + mode)


main()
