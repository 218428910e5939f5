# Plots of experiment.py's data files (run.sh calls it with data and img set).
set terminal pngcairo size 1200,420 font ",10"
set grid
set logscale x 2
set key top left
set style data linespoints

# -- scenario one: time by concurrency, ours beside the thesis' tables 4.3 and 4.4 ---
set output img.'/thesis_scenario1.png'
set multiplot layout 1,3 title "Create an image and boot a server: cloudlets with one agent each (P2P) vs one controller (standard)"
set xlabel "concurrency"
set ylabel "mean time (s)"
set title "fedstack sim (this run)"
f = data.'/scenario1.dat'
plot f using 1:4 title "P2P total" lc rgb "#8e24aa" lw 2 pt 7, '' using 1:7 title "standard total" lc rgb "#00897b" lw 2 pt 5, \
     '' using 1:2 title "P2P create image" lc rgb "#8e24aa" dt 2 pt 6, '' using 1:5 title "standard create image" lc rgb "#00897b" dt 2 pt 4, \
     '' using 1:3 title "P2P boot" lc rgb "#8e24aa" dt 3 pt 6, '' using 1:6 title "standard boot" lc rgb "#00897b" dt 3 pt 4
set title "thesis, tables 4.3 and 4.4 (Rally, OpenStack Liberty)"
plot f using 1:10 title "P2P total" lc rgb "#8e24aa" lw 2 pt 7, '' using 1:13 title "standard total" lc rgb "#00897b" lw 2 pt 5, \
     '' using 1:8 title "P2P create image" lc rgb "#8e24aa" dt 2 pt 6, '' using 1:11 title "standard create image" lc rgb "#00897b" dt 2 pt 4, \
     '' using 1:9 title "P2P boot" lc rgb "#8e24aa" dt 3 pt 6, '' using 1:12 title "standard boot" lc rgb "#00897b" dt 3 pt 4
set title "total relative to concurrency 1"
set ylabel "total(c) / total(1)"
set logscale y 2
plot f using 1:16 title "ours P2P" lc rgb "#8e24aa" lw 2 pt 7, '' using 1:17 title "ours standard" lc rgb "#00897b" lw 2 pt 5, \
     '' using 1:18 title "thesis P2P" lc rgb "#8e24aa" dt 2 pt 6, '' using 1:19 title "thesis standard" lc rgb "#00897b" dt 2 pt 4
unset logscale y
unset multiplot

# -- failures by concurrency -------------------------------------------------------
set output img.'/thesis_failures.png'
set terminal pngcairo size 600,400 font ",10"
set title "Failed iterations (this run)"
set ylabel "failed (%)"
set yrange [0:100]
plot f using 1:14 title "P2P" lc rgb "#8e24aa" lw 2 pt 7, '' using 1:15 title "standard" lc rgb "#00897b" lw 2 pt 5
set autoscale y

# -- scenario two: time by number of cloudlets at concurrency 16 ----------------------
set terminal pngcairo size 1000,420 font ",10"
set output img.'/thesis_scenario2.png'
set multiplot layout 1,2 title "Concurrency 16 on 1, 2, 4, 8, 16 cloudlets"
set xlabel "cloudlets"
set ylabel "mean time (s)"
g = data.'/scenario2.dat'
set title "fedstack sim (this run)"
plot g using 1:4 title "total" lw 2 pt 7, '' using 1:2 title "create image" dt 2 pt 6, '' using 1:3 title "boot" dt 3 pt 6
set title "thesis, table 4.5"
plot g using 1:7 title "total" lw 2 pt 7, '' using 1:5 title "create image" dt 2 pt 6, '' using 1:6 title "boot" dt 3 pt 6
unset multiplot
