#pragma once

#include <QString>

class QWidget;

namespace loopscope {

// Help > About: the version, the licence, and where the README explains each part.
QString aboutText();
// Opens the About box over `parent`, without blocking: it closes with its button.
void showAbout(QWidget *parent);

} // namespace loopscope
