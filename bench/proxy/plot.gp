# Plots proxy.dat (written by overhead.py; called with data and img).
# Blocks in the file: list direct, list nginx, list agent, pass direct, pass nginx, pass agent.
set terminal pngcairo size 1100,800 font ",10"
set output img
set grid
set logscale x 2
set xtics (1, 16, 64, 256)
set xrange [0.8:320]
set xlabel "connections"
set key top left
set style data linespoints
set multiplot layout 2,2 title "The agent against nginx and the simulated cloud directly (wrk)"
set ylabel "requests/s"
set title "GET /v2/images (20 images, IDs translated)"
plot data index 0 using 3:4 title "direct" pt 7, '' index 1 using 3:4 title "nginx" pt 5, '' index 2 using 3:4 title "agent" pt 9
set title "GET /v2/schemas/image (passed through)"
plot data index 3 using 3:4 title "direct" pt 7, '' index 4 using 3:4 title "nginx" pt 5, '' index 5 using 3:4 title "agent" pt 9
set ylabel "p99 latency (ms)"
set logscale y
set title "GET /v2/images: p99"
plot data index 0 using 3:6 title "direct" pt 7, '' index 1 using 3:6 title "nginx" pt 5, '' index 2 using 3:6 title "agent" pt 9
set title "GET /v2/schemas/image: p99"
plot data index 3 using 3:6 title "direct" pt 7, '' index 4 using 3:6 title "nginx" pt 5, '' index 5 using 3:6 title "agent" pt 9
unset multiplot
