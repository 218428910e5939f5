# Plots of bench_cyclon's data files (called by run.sh with data, img, n).
set terminal pngcairo size 1100,420 font ",10"
set grid

# -- in-degree distribution: CYCLON against the random graph, N = n ------------
set output img.'/cyclon_indegree.png'
set multiplot layout 1,2 title sprintf("In-degree distribution after 200 cycles, N = %d", n)
set xlabel "in-degree"
set ylabel "nodes"
set style data linespoints
set title "c = 4, l = 2 (thesis)"
plot sprintf('%s/indegree_n%d_c4_l2.dat', data, n) using 1:2 title "CYCLON" pt 7 ps 0.6, \
     ''                                        using 1:3 title "random graph, out-degree 4" pt 6 ps 0.6
set title "c = 20, l = 8"
plot sprintf('%s/indegree_n%d_c20_l8.dat', data, n) using 1:2 title "CYCLON" pt 7 ps 0.6, \
     ''                                         using 1:3 title "random graph, out-degree 20" pt 6 ps 0.6
unset multiplot

# -- dead links per cycle after killing 50% of the nodes -------------------------
set output img.'/cyclon_deadlinks.png'
set multiplot layout 1,2 title "Links to dead nodes held by live nodes after 50% of the nodes died at cycle 0"
set xlabel "cycles after the failure"
set ylabel "dead links (% of all links)"
set xrange [0:60]
set yrange [0:55]
set style data lines
set title "N = 1000"
plot sprintf('%s/deadlinks_n1000_c4_l2.dat', data) using 1:($3*100) title "c=4, l=2" lw 2, \
     sprintf('%s/deadlinks_n1000_c20_l8.dat', data) using 1:($3*100) title "c=20, l=8" lw 2
set title sprintf("N = %d", n)
plot sprintf('%s/deadlinks_n%d_c4_l2.dat', data, n) using 1:($3*100) title "c=4, l=2" lw 2, \
     sprintf('%s/deadlinks_n%d_c20_l8.dat', data, n) using 1:($3*100) title "c=20, l=8" lw 2
unset multiplot
