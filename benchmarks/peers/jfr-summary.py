"""Summarises a JFR recording by top frames: execution samples (self and selected inclusive) and
allocation samples by class and by allocating frame. usage: jfr-summary.py OUT.jfr (needs jfr on PATH)."""
import json,sys,collections,subprocess
f=sys.argv[1]
def events(name):
    out=subprocess.run(["jfr","print","--json","--events",name,f],capture_output=True,text=True).stdout
    return json.loads(out)["recording"]["events"]
def frames(e):
    st=e["values"].get("stackTrace")
    if not st: return []
    return [fr["method"]["type"]["name"].split(".")[-1]+"."+fr["method"]["name"] for fr in st["frames"]]
ex=events("jdk.ExecutionSample")
ex=[e for e in ex if "percore-shard" in str(e["values"].get("sampledThread",{}).get("javaName","")) or True]
top=collections.Counter(); incl=collections.Counter()
for e in ex:
    fs=frames(e)
    if fs: top[fs[0]]+=1
    for x in set(fs): incl[x]+=1
n=len(ex)
print("execution samples",n)
print("-- top self frames"); [print(f"{c*100/n:5.1f}% {k}") for k,c in top.most_common(25)]
print("-- inclusive (selected)")
for k,c in incl.most_common(400):
    if any(s in k for s in ["Redis","Resp","Command","Aggregator","ByteToMessage","Encoder","flush","write","read","epoll","Uring","KeyTable","ShardKeyspace","execute","decode","channelRead"]):
        print(f"{c*100/n:5.1f}% {k}")
al=events("jdk.ObjectAllocationSample")
w=collections.Counter(); tot=0
for e in al:
    cls=e["values"]["objectClass"]["name"]; wt=e["values"]["weight"]; w[cls]+=wt; tot+=wt
print("-- allocation by class (sampled weight)", tot)
for k,c in w.most_common(15): print(f"{c*100/tot:5.1f}% {k}")
ws=collections.Counter()
for e in al:
    fs=[x for x in frames(e) if not x.startswith(("Object.","Arrays.","ByteBuf","AbstractByteBuf","Unpooled","PooledByteBuf"))]
    if fs: ws[fs[0]]+=e["values"]["weight"]
print("-- allocation by first non-library-buffer frame")
for k,c in ws.most_common(15): print(f"{c*100/tot:5.1f}% {k}")
