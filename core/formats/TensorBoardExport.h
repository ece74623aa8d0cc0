#pragma once
// A run folder, or every trial of a sweep folder, as TensorBoard logs: one sub-folder per run
// (named as its run folder) holding an events file with the scalars epoch/train_loss,
// epoch/valid_loss, epoch/test_acc, epoch/lr (step = epoch), iteration/loss, iteration/lr (step =
// the run's iteration), run/test_acc_at_best_valid (the honest figure, at the run's last epoch),
// and the run's settings as an HParams session. `tensorboard --logdir OUT` shows them.
#include <string>
#include <vector>

namespace mnist {

// Writes OUT/<run name>/events.out.tfevents.* for the run folder or sweep folder `source` and
// returns the files written. The wall times are the run's: its start (config.json's modification
// time) plus the epochs' seconds. A sweep's runs share their hparams (the swept settings and the
// seed) so that TensorBoard's table has one column per swept setting; a lone run's are its main
// settings. Throws IoError naming the folder when `source` is neither, or a file cannot be written;
// a trial not begun is skipped, a damaged run is an IoError naming it.
std::vector<std::string> exportTensorBoard(const std::string& source, const std::string& outDir);

} // namespace mnist
